#pragma once
// Internal to core/: includes torch. The BERT-family encoder as LibTorch modules whose parameter names
// are exactly Hugging Face's ("bert.embeddings.word_embeddings.weight",
// "bert.encoder.layer.0.attention.self.query.weight", "classifier.weight",
// "cls.predictions.transform.dense.weight", ...), so a local HF folder loads and an export is a
// faithful write. Post-LayerNorm layers, GELU, absolute positions, token types, an additive padding mask.
//
// What a method needs, the same on both heads: embed(ids) -> input embeddings (the word embeddings,
// HF's inputs_embeds: adversarial methods perturb these), forwardEmbeds(embeddings, attention mask,
// token types) -> hidden states, the head's logits, parameter groups by layer, LoRA targets by role
// (core/model/BertLora.h).
//
// Shapes: B batch, T tokens, D hidden_size, H heads, Dh head dim (D/H), F intermediate_size,
// V vocab, C classes.
#include "core/model/BertConfig.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/types.h>

#include <string>
#include <vector>

namespace fts {

struct LoraState;

// Parameters trained together under one learning rate or frozen together: "embeddings",
// "encoder.layer.0" ... "encoder.layer.N-1", "head" (pooler + classifier, or the masked-LM transform).
struct BertParameterGroup {
  std::string name;
  std::vector<torch::Tensor> parameters;
};

struct BertEmbeddingsImpl : torch::nn::Module {
  explicit BertEmbeddingsImpl(const BertConfig& c);
  torch::Tensor embed(const torch::Tensor& ids);  // [B,T] int64 -> word embeddings [B,T,D]
  // inputEmbeds [B,T,D] + position [T,D] + token type [B,T,D] (type 0 when tokenTypeIds is
  // undefined), LayerNorm, dropout -> [B,T,D]
  torch::Tensor forward(const torch::Tensor& inputEmbeds, const torch::Tensor& tokenTypeIds);
  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};  // "LayerNorm"
  double dropout;
};
TORCH_MODULE(BertEmbeddings);

struct BertSelfAttentionImpl : torch::nn::Module {
  explicit BertSelfAttentionImpl(const BertConfig& c);
  // x [B,T,D], additiveMask [B,1,1,T] float (0 for tokens, a large negative number for padding)
  // -> context [B,T,D] (before attention.output.dense)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additiveMask);
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  int64_t heads, headDim;
  double dropout;
  const LoraState* lora = nullptr;  // set by attachBertLora (core/model/BertLora.h)
};
TORCH_MODULE(BertSelfAttention);

// dense, dropout, residual, LayerNorm: attention.output (D->D) and output (F->D) have this form.
struct BertResidualOutputImpl : torch::nn::Module {
  BertResidualOutputImpl(int64_t in, const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& residual);  // [B,T,in], [B,T,D] -> [B,T,D]
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};  // "LayerNorm"
  double dropout;
  const LoraState* lora = nullptr;
};
TORCH_MODULE(BertResidualOutput);

struct BertAttentionImpl : torch::nn::Module {
  explicit BertAttentionImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additiveMask);  // [B,T,D] -> [B,T,D]
  BertSelfAttention self{nullptr};       // "attention.self"
  BertResidualOutput output{nullptr};    // "attention.output"
};
TORCH_MODULE(BertAttention);

struct BertIntermediateImpl : torch::nn::Module {
  explicit BertIntermediateImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& x);  // [B,T,D] -> GELU(dense) [B,T,F]
  torch::nn::Linear dense{nullptr};
  bool tanhGelu;
  const LoraState* lora = nullptr;
};
TORCH_MODULE(BertIntermediate);

struct BertLayerImpl : torch::nn::Module {
  explicit BertLayerImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additiveMask);  // [B,T,D] -> [B,T,D]
  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

struct BertEncoderImpl : torch::nn::Module {
  explicit BertEncoderImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additiveMask);  // [B,T,D] -> [B,T,D]
  torch::nn::ModuleList layer{nullptr};  // "encoder.layer.N"
};
TORCH_MODULE(BertEncoder);

struct BertPoolerImpl : torch::nn::Module {
  explicit BertPoolerImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& hidden);  // [B,T,D] -> tanh(dense(hidden[:,0])) [B,D]
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertPooler);

// HF's BertModel ("bert." inside the task models; bare in sentence-transformers folders).
struct BertModelImpl : torch::nn::Module {
  BertModelImpl(const BertConfig& c, bool addPooler);
  torch::Tensor embed(const torch::Tensor& ids);  // [B,T] int64 -> [B,T,D]
  // inputEmbeds [B,T,D] (from embed, perhaps perturbed), attentionMask [B,T] (1/true for tokens, 0 for
  // padding; any dtype; undefined: no padding), tokenTypeIds [B,T] int64 or undefined (all 0)
  // -> last hidden state [B,T,D]
  torch::Tensor forwardEmbeds(const torch::Tensor& inputEmbeds, const torch::Tensor& attentionMask,
                              const torch::Tensor& tokenTypeIds = {});
  // embeddings, encoder.layer.0 ... (the pooler is a head's: see the task models)
  std::vector<BertParameterGroup> parameterGroups();
  BertLayerImpl& layerAt(size_t i);
  size_t layerCount() const { return encoder->layer->size(); }

  BertEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
  BertPooler pooler{nullptr};  // null in BertForMaskedLM (HF's add_pooling_layer=False)
  BertConfig config;
  std::shared_ptr<LoraState> lora;  // LoRA adapters of every layer, when attached
};
TORCH_MODULE(BertModel);

// attentionMask [B,T] (1 token / 0 pad, any dtype) -> [B,1,1,T] float32: 0 for tokens, the lowest
// float for padding (HF's finfo.min: a row of padding only still gets a finite softmax). Undefined in,
// undefined out (no mask).
torch::Tensor bertAdditiveMask(const torch::Tensor& attentionMask);

// BertForSequenceClassification: pooler -> dropout -> classifier, or mean pooling over the tokens
// (config.classifier_pooling "mean") -> dropout -> classifier.
struct BertForSequenceClassificationImpl : torch::nn::Module {
  explicit BertForSequenceClassificationImpl(const BertConfig& c);
  // hidden [B,T,D] from bert->forwardEmbeds, attentionMask [B,T] (for mean pooling) -> logits [B,C]
  torch::Tensor classLogits(const torch::Tensor& hidden, const torch::Tensor& attentionMask);
  // classLogits(bert->forwardEmbeds(inputEmbeds, attentionMask, tokenTypeIds), attentionMask)
  torch::Tensor classLogitsFromEmbeds(const torch::Tensor& inputEmbeds, const torch::Tensor& attentionMask,
                                      const torch::Tensor& tokenTypeIds = {});
  // The bert groups, then "head" (pooler and classifier).
  std::vector<BertParameterGroup> parameterGroups();
  std::string architecture() const { return "BertForSequenceClassification"; }

  BertModel bert{nullptr};
  torch::nn::Linear classifier{nullptr};
  double dropout;
};
TORCH_MODULE(BertForSequenceClassification);

// cls.predictions.transform: dense, GELU, LayerNorm.
struct BertPredictionHeadTransformImpl : torch::nn::Module {
  explicit BertPredictionHeadTransformImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& h);  // [...,D] -> [...,D]
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};  // "LayerNorm"
  bool tanhGelu;
};
TORCH_MODULE(BertPredictionHeadTransform);

// cls.predictions: the transform and the output bias; the decoder's weight is the word embeddings.
struct BertLMPredictionHeadImpl : torch::nn::Module {
  explicit BertLMPredictionHeadImpl(const BertConfig& c);
  BertPredictionHeadTransform transform{nullptr};
  torch::Tensor bias;  // [V]
};
TORCH_MODULE(BertLMPredictionHead);

struct BertOnlyMLMHeadImpl : torch::nn::Module {
  explicit BertOnlyMLMHeadImpl(const BertConfig& c);
  BertLMPredictionHead predictions{nullptr};
};
TORCH_MODULE(BertOnlyMLMHead);

// BertForMaskedLM: no pooler; logits = transform(hidden) x word_embeddings^T + cls.predictions.bias.
struct BertForMaskedLMImpl : torch::nn::Module {
  explicit BertForMaskedLMImpl(const BertConfig& c);
  torch::Tensor mlmLogits(const torch::Tensor& hidden);  // [B,T,D] -> [B,T,V]
  // Mean cross-entropy over the positions whose target is not ignoreIndex: hidden [B,T,D], targets
  // [B,T] int64 -> float32 scalar. The head runs on those rows only (about 15% of the tokens).
  torch::Tensor mlmLoss(const torch::Tensor& hidden, const torch::Tensor& targets, int64_t ignoreIndex = -100);
  // The bert groups, then "head" (cls.predictions.transform and bias; the decoder is the embeddings).
  std::vector<BertParameterGroup> parameterGroups();
  std::string architecture() const { return "BertForMaskedLM"; }

  BertModel bert{nullptr};
  BertOnlyMLMHead cls{nullptr};
};
TORCH_MODULE(BertForMaskedLM);

// Hugging Face's initialisation: normal(0, 0.02) for linear and embedding weights, zero biases and
// padding row, LayerNorm weight 1 and bias 0.
void initBertWeights(torch::nn::Module& m, int padTokenId, uint64_t seed);

}  // namespace fts
