#pragma once
// Internal to core/: includes torch. The Llama-family decoder (core/model/LlamaModules) behind the
// TaskModel interface: causal LM or classification pooled on the last real token.
#include "core/model/LlamaModules.h"
#include "core/model/TaskModel.h"

namespace fts {

class LlamaTaskModel final : public TaskModel {
 public:
  explicit LlamaTaskModel(LlamaForTask model) : model_(std::move(model)) {}

  torch::nn::Module& module() override { return *model_; }
  TaskHead head() const override;
  std::string architecture() const override { return model_->architecture(); }
  std::string configJson() const override { return model_->model->config.toJson(model_->architecture()); }
  ModelShape shape() const override;
  std::vector<std::string> labels() const override { return model_->model->config.id2label; }

  torch::Tensor embed(const torch::Tensor& ids) override { return model_->model->embed(ids); }  // [B,T] -> [B,T,D]
  torch::Tensor classLogits(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths) override;
  torch::Tensor tokenLoss(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths, const torch::Tensor& targets,
                          double labelSmoothing) override;

  std::vector<std::string> embeddingPrefixes() const override { return {"model.embed_tokens."}; }
  std::string layerPrefix(int layer) const override { return "model.layers." + std::to_string(layer) + "."; }

  void attachLora(const LoraConfig& config, uint64_t seed) override;
  bool hasLora() override;
  void mergeLora() override;
  void saveFolder(const std::filesystem::path& folder, const Tokenizer* tokenizer) override;

  LlamaForTask& llama() { return model_; }  // for what only decoders do (generation, GGUF export)

 private:
  LlamaForTask model_;
};

// The decoder inside `model`, or nullptr when it is another kind.
LlamaForTask* llamaOf(TaskModel& model);

}  // namespace fts
