#pragma once
// Internal to core/: includes torch. The one interface every model kind offers the trainer and the
// methods (full, frozen, LoRA, and the method families on top: adversarial steps perturb embed()'s
// output and call the head from embeddings), so no method special-cases a class. Llama-family
// decoders and BERT encoders implement it (core/train/LlamaTaskModel, core/train/BertTaskModel).
//
// Shapes: B batch, T tokens, D hidden size, C classes, V vocabulary.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fts {

class Tokenizer;
struct LoraConfig;

// What the model's head computes: causal LM (decoders), masked LM (encoders), classification (both).
enum class TaskHead { CausalLM, MaskedLM, SequenceClassification };

struct ModelShape {
  int64_t hidden = 0, layers = 0, heads = 0, ffn = 0, vocab = 0, maxPositions = 0;
  int64_t padId = 0;  // right padding of batches
};

class TaskModel {
 public:
  virtual ~TaskModel() = default;

  // The torch module: parameters by their Hugging Face names, train()/eval(), checkpoints.
  virtual torch::nn::Module& module() = 0;
  virtual TaskHead head() const = 0;
  virtual std::string architecture() const = 0;  // "LlamaForSequenceClassification", "BertForMaskedLM", ...
  virtual std::string configJson() const = 0;    // config.json of this model, as HF writes it
  virtual ModelShape shape() const = 0;
  virtual std::vector<std::string> labels() const = 0;  // a classifier's classes by id; empty otherwise

  // ids [B,T] int64 -> input embeddings [B,T,D]: the word embeddings only (positions and token
  // types, where the model has them, are added inside), so a perturbation of them is an input's.
  virtual torch::Tensor embed(const torch::Tensor& ids) = 0;
  // Classification: inputEmbeds [B,T,D], lengths [B] (real tokens per row, right padding) -> logits [B,C].
  virtual torch::Tensor classLogits(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths) = 0;
  // Causal or masked LM: mean cross-entropy of targets [B,T] (-100 where nothing is predicted),
  // float32 scalar; the [B*T,V] logits need not be kept.
  virtual torch::Tensor tokenLoss(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths, const torch::Tensor& targets,
                                  double labelSmoothing) = 0;

  // Parameter-name prefixes by role, for freezing, layer-wise learning rates and unfreezing schedules:
  // the embeddings, decoder/encoder layer i (0 = the lowest).
  virtual std::vector<std::string> embeddingPrefixes() const = 0;
  virtual std::string layerPrefix(int layer) const = 0;

  // LoRA on the projections named by config.targets (q, k, v, o, gate, up, down; BERT maps q/k/v/o
  // to query/key/value/attention output and up/down to intermediate/output). Freezes the rest except
  // a classification head.
  virtual void attachLora(const LoraConfig& config, uint64_t seed) = 0;
  virtual bool hasLora() = 0;
  virtual void mergeLora() = 0;

  // The model as a Hugging Face folder (config.json, safetensors, the tokenizer's files when given),
  // written atomically: what a finished run hands over.
  virtual void saveFolder(const std::filesystem::path& folder, const Tokenizer* tokenizer) = 0;
};

}  // namespace fts
