#include "core/train/LlamaTaskModel.h"

#include "core/io/HfModelFolder.h"
#include "core/model/Lora.h"

#include <torch/torch.h>

namespace fts {

TaskHead LlamaTaskModel::head() const {
  return model_->kind == HeadKind::SequenceClassification ? TaskHead::SequenceClassification : TaskHead::CausalLM;
}

ModelShape LlamaTaskModel::shape() const {
  const LlamaConfig& c = model_->model->config;
  return {c.hidden_size, c.num_hidden_layers, c.num_attention_heads, c.ffnSize(), c.vocab_size, c.max_position_embeddings,
          c.pad_token_id};
}

torch::Tensor LlamaTaskModel::classLogits(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths) {
  // Causal attention: right padding never reaches the pooled (last real) token, so no mask is needed.
  // The last layer runs only at that token: the same logits and gradients as the full pass.
  return model_->classLogitsFromEmbeds(inputEmbeds, lengths);  // [B,C]
}

torch::Tensor LlamaTaskModel::tokenLoss(const torch::Tensor& inputEmbeds, const torch::Tensor& /*lengths*/,
                                        const torch::Tensor& targets, double labelSmoothing) {
  auto hidden = model_->model->forwardEmbeds(inputEmbeds);  // [B,T,D]
  // The fused head + cross-entropy never keeps the [B*T,V] logits on the CPU.
  return model_->lmLoss(hidden, targets, -100, labelSmoothing);
}

void LlamaTaskModel::attachLora(const LoraConfig& config, uint64_t seed) { fts::attachLora(model_, config, seed); }
bool LlamaTaskModel::hasLora() { return fts::hasLora(model_); }
void LlamaTaskModel::mergeLora() { fts::mergeLora(model_); }

void LlamaTaskModel::saveFolder(const std::filesystem::path& folder, const Tokenizer* tokenizer) {
  saveHfModelFolder(folder, model_, tokenizer);
}

LlamaForTask* llamaOf(TaskModel& model) {
  auto* llama = dynamic_cast<LlamaTaskModel*>(&model);
  return llama ? &llama->llama() : nullptr;
}

}  // namespace fts
