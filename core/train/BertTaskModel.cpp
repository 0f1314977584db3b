#include "core/train/BertTaskModel.h"

#include "core/io/BertHfFolder.h"
#include "core/model/BertLora.h"
#include "core/text/Tokenizer.h"

#include <torch/torch.h>

#include <random>
#include <unistd.h>

namespace fts {

torch::Tensor maskFromLengths(const torch::Tensor& lengths, int64_t T) {
  auto positions = torch::arange(T, lengths.options()).unsqueeze(0);  // [1,T]
  return (positions < lengths.unsqueeze(1)).to(torch::kInt64);      // [B,T]
}

torch::nn::Module& BertTaskModel::module() {
  if (cls_) return *cls_;
  return *mlm_;
}

std::string BertTaskModel::architecture() const { return cls_ ? cls_->architecture() : mlm_->architecture(); }

ModelShape BertTaskModel::shape() const {
  const BertConfig& c = config();
  return {c.hidden_size, c.num_hidden_layers, c.num_attention_heads, c.intermediate_size, c.vocab_size,
          c.max_position_embeddings, c.pad_token_id};
}

torch::Tensor BertTaskModel::classLogits(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths) {
  if (!cls_) throw std::logic_error("a masked-LM model has no classification head");
  const auto mask = maskFromLengths(lengths, inputEmbeds.size(1));  // [B,T]
  return cls_->classLogitsFromEmbeds(inputEmbeds, mask);           // [B,C]
}

torch::Tensor BertTaskModel::tokenLoss(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths, const torch::Tensor& targets,
                                       double /*labelSmoothing*/) {
  if (!mlm_) throw std::logic_error("a classifier has no masked-LM head");
  const auto mask = maskFromLengths(lengths, inputEmbeds.size(1));      // [B,T]
  const auto hidden = mlm_->bert->forwardEmbeds(inputEmbeds, mask);      // [B,T,D]
  return mlm_->mlmLoss(hidden, targets, -100);
}

void BertTaskModel::attachLora(const LoraConfig& config, uint64_t seed) {
  if (cls_) attachBertLora(cls_, config, seed);
  else attachBertLora(mlm_, config, seed);
}

bool BertTaskModel::hasLora() { return hasBertLora(bert()); }
void BertTaskModel::mergeLora() { mergeBertLora(bert()); }

void BertTaskModel::saveFolder(const std::filesystem::path& folder, const Tokenizer* tokenizer) {
  // The tokenizer's files go in with the weights, so the folder is swapped in whole.
  std::vector<std::filesystem::path> extra;
  std::filesystem::path staging;
  if (tokenizer) {
    std::random_device rd;
    staging = std::filesystem::temp_directory_path() /
              ("ftstudio-tokenizer-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(staging);
    for (const auto& name : tokenizer->saveFiles(staging)) extra.push_back(staging / name);
  }
  try {
    if (cls_) saveBertHfFolder(folder, cls_, {}, extra);
    else saveBertHfFolder(folder, mlm_, {}, extra);
  } catch (...) {
    if (!staging.empty()) std::filesystem::remove_all(staging);
    throw;
  }
  if (!staging.empty()) std::filesystem::remove_all(staging);
}

}  // namespace fts
