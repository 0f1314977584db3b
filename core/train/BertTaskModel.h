#pragma once
// Internal to core/: includes torch. A BERT-family encoder (core/model/BertModules) behind the
// TaskModel interface: BertForSequenceClassification or BertForMaskedLM.
#include "core/model/BertModules.h"
#include "core/model/TaskModel.h"

namespace fts {

class BertTaskModel final : public TaskModel {
 public:
  explicit BertTaskModel(BertForSequenceClassification model) : cls_(std::move(model)), bert_(cls_->bert.get()) {}
  explicit BertTaskModel(BertForMaskedLM model) : mlm_(std::move(model)), bert_(mlm_->bert.get()) {}

  torch::nn::Module& module() override;
  TaskHead head() const override { return cls_ ? TaskHead::SequenceClassification : TaskHead::MaskedLM; }
  std::string architecture() const override;
  std::string configJson() const override { return config().toJson(architecture()); }
  ModelShape shape() const override;
  std::vector<std::string> labels() const override { return config().id2label; }

  torch::Tensor embed(const torch::Tensor& ids) override { return bert().embed(ids); }  // [B,T] -> [B,T,D]
  torch::Tensor classLogits(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths) override;
  torch::Tensor tokenLoss(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths, const torch::Tensor& targets,
                          double labelSmoothing) override;

  std::vector<std::string> embeddingPrefixes() const override { return {"bert.embeddings."}; }
  std::string layerPrefix(int layer) const override { return "bert.encoder.layer." + std::to_string(layer) + "."; }

  void attachLora(const LoraConfig& config, uint64_t seed) override;
  bool hasLora() override;
  void mergeLora() override;
  void saveFolder(const std::filesystem::path& folder, const Tokenizer* tokenizer) override;

 private:
  BertModelImpl& bert() const { return *bert_; }
  const BertConfig& config() const { return bert_->config; }

  BertForSequenceClassification cls_{nullptr};
  BertForMaskedLM mlm_{nullptr};
  BertModelImpl* bert_ = nullptr;  // the encoder inside whichever head is set
};

// [B,T] attention mask (1 for the first lengths[b] tokens of row b, 0 for its right padding), int64.
torch::Tensor maskFromLengths(const torch::Tensor& lengths, int64_t T);

}  // namespace fts
