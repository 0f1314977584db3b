#pragma once
// Internal to core/: includes torch. The Llama-family decoder as LibTorch modules whose parameter
// names are exactly Hugging Face's ("model.layers.0.self_attn.q_proj.weight", "score.weight", ...),
// so a local HF folder loads and an export is a faithful write.
//
// Shapes: B batch, T tokens, D hidden_size, H heads, Hkv key/value heads, Dh head dim, F ffn, V vocab.
#include "core/model/LlamaConfig.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

namespace fts {

struct LoraState;

struct RMSNormImpl : torch::nn::Module {
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);  // [..., D] -> [..., D]
  torch::Tensor weight;
  double eps;
};
TORCH_MODULE(RMSNorm);

struct LlamaAttentionImpl : torch::nn::Module {
  explicit LlamaAttentionImpl(const LlamaConfig& c);
  // x [B,T,D], cos/sin [T,Dh], causalMask [T,T] additive (0 / -inf) -> [B,T,D]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& causalMask);
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  int64_t heads, kvHeads, headDim;
  double dropout;
  const LoraState* lora = nullptr;  // set by attachLora (core/model/Lora.h)
};
TORCH_MODULE(LlamaAttention);

struct LlamaMLPImpl : torch::nn::Module {
  explicit LlamaMLPImpl(const LlamaConfig& c);
  torch::Tensor forward(const torch::Tensor& x);  // [B,T,D] -> [B,T,D] via SwiGLU [B,T,F]
  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
  const LoraState* lora = nullptr;  // set by attachLora (core/model/Lora.h)
};
TORCH_MODULE(LlamaMLP);

struct LlamaDecoderLayerImpl : torch::nn::Module {
  explicit LlamaDecoderLayerImpl(const LlamaConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& causalMask);
  // The layer's output at one position per row only: x [B,T,D], positions [B] int64 -> [B,D], equal
  // to forward(x, ...)[b, positions[b]]. Keys and values still come from every position; the query,
  // attention output, o_proj and the MLP run for B rows instead of B*T. No dropout (callers check).
  torch::Tensor forwardAt(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                          const torch::Tensor& positions);
  LlamaAttention self_attn{nullptr};
  LlamaMLP mlp{nullptr};
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  double hiddenDropout;
};
TORCH_MODULE(LlamaDecoderLayer);

// The backbone ("model." in HF names): embeddings, decoder layers, final norm.
struct LlamaBackboneImpl : torch::nn::Module {
  explicit LlamaBackboneImpl(const LlamaConfig& c);
  // inputEmbeds [B,T,D] -> hidden [B,T,D]. Taking embeddings (not ids) lets adversarial methods
  // perturb them and take gradients with respect to them.
  torch::Tensor forwardEmbeds(const torch::Tensor& inputEmbeds);
  torch::Tensor embed(const torch::Tensor& ids);  // [B,T] int64 -> [B,T,D]
  // norm(forwardEmbeds(inputEmbeds)) at one position per row: positions [B] int64 -> [B,D]. The last
  // decoder layer computes only those rows (see LlamaDecoderLayerImpl::forwardAt), which is all a
  // classifier pooled on one token needs. Falls back to the full pass while dropout or LoRA dropout
  // is active in training (their random draws would differ), so results never depend on the path.
  torch::Tensor forwardEmbedsAt(const torch::Tensor& inputEmbeds, const torch::Tensor& positions);
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
  LlamaConfig config;
  std::shared_ptr<LoraState> lora;  // LoRA adapters of every layer, when attached

 private:
  void ensureRope(int64_t T, const torch::Device& device);
  torch::Tensor cos_, sin_, mask_;  // [Tmax,Dh], [Tmax,Dh], [Tmax,Tmax]
};
TORCH_MODULE(LlamaBackbone);

enum class HeadKind { CausalLM, SequenceClassification };

// LlamaForCausalLM ("lm_head.weight", or tied to the embeddings) or LlamaForSequenceClassification
// ("score.weight", pooled on the last non-pad token).
struct LlamaForTaskImpl : torch::nn::Module {
  LlamaForTaskImpl(const LlamaConfig& c, HeadKind kind);
  // hidden [B,T,D] -> logits [B,T,V] (causal LM)
  torch::Tensor lmLogits(const torch::Tensor& hidden);
  // Mean next-token cross-entropy: hidden [B,T,D], targets [B,T] (ignoreIndex where nothing is
  // predicted) -> float32 scalar, as cross_entropy(lmLogits(hidden)) with torch's label smoothing.
  // On the CPU the [B*T,V] logits are never kept (fusedLinearCrossEntropy): less memory, fewer passes.
  torch::Tensor lmLoss(const torch::Tensor& hidden, const torch::Tensor& targets, int64_t ignoreIndex = -100,
                       double labelSmoothing = 0.0);
  // hidden [B,T,D], lengths [B] (real tokens per row, right padding) -> logits [B,C]
  torch::Tensor classLogits(const torch::Tensor& hidden, const torch::Tensor& lengths);
  // The same logits from the input embeddings [B,T,D], as classLogits(model->forwardEmbeds(e), lengths),
  // without the last layer's work on the tokens the pooling drops (model->forwardEmbedsAt): on a
  // 4-layer model about a fifth of the products of a classification step. Same logits and gradients.
  torch::Tensor classLogitsFromEmbeds(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths);
  std::string architecture() const;

  LlamaBackbone model{nullptr};
  torch::nn::Linear lm_head{nullptr};
  torch::nn::Linear score{nullptr};
  HeadKind kind;
};
TORCH_MODULE(LlamaForTask);

// Hugging Face's initialisation: normal(0, 0.02) for linear and embedding weights, ones for norms.
void initLlamaWeights(torch::nn::Module& m, uint64_t seed);

}  // namespace fts
