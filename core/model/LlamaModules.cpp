#include "core/model/LlamaModules.h"

#include "core/model/FusedAttention.h"
#include "core/model/Lora.h"
#include "core/model/FusedOps.h"

#include <ATen/autocast_mode.h>

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace fts {
namespace F = torch::nn::functional;

RMSNormImpl::RMSNormImpl(int64_t dim, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  if (fusedOpsEnabled() && x.device().is_cpu() && weight.scalar_type() == torch::kFloat32 &&
      (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kBFloat16))
    return fusedRmsNorm(x, weight, eps);  // one pass per row forward and backward, same math
  // Computed in fp32 whatever the input dtype, as HF does, then cast back.
  auto xf = x.to(torch::kFloat32);
  auto normed = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * normed.to(x.scalar_type());
}

namespace {
torch::nn::Linear makeLinear(int64_t in, int64_t out, bool bias) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

// x [B,H,T,Dh]: rotate the two halves, HF's rotate_half convention.
torch::Tensor applyRope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  auto x1 = x.narrow(-1, 0, half);
  auto x2 = x.narrow(-1, half, half);
  return x * cos + torch::cat({-x2, x1}, -1) * sin;
}
}  // namespace

LlamaAttentionImpl::LlamaAttentionImpl(const LlamaConfig& c)
    : heads(c.num_attention_heads), kvHeads(c.kvHeads()), headDim(c.headDim()), dropout(c.attention_dropout) {
  const int64_t D = c.hidden_size;
  q_proj = register_module("q_proj", makeLinear(D, heads * headDim, c.attention_bias));
  k_proj = register_module("k_proj", makeLinear(D, kvHeads * headDim, c.attention_bias));
  v_proj = register_module("v_proj", makeLinear(D, kvHeads * headDim, c.attention_bias));
  o_proj = register_module("o_proj", makeLinear(heads * headDim, D, c.oProjBias()));
}

torch::Tensor LlamaAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                          const torch::Tensor& causalMask) {
  const int64_t B = x.size(0), T = x.size(1);
  const int64_t qw = heads * headDim, kvw = kvHeads * headDim;
  // One product for q, k and v instead of three: [B,T,D] x [D,(H+2Hkv)*Dh]. The weights stay three
  // HF tensors; their gradients come back through the concatenation (which costs a copy of D*3D).
  // LoRA: without adapter dropout the update folds into the weights (W + s*B*A, cheap at small
  // rank); with it, the update needs the dropped-out input and is added to the output instead.
  const bool loraOnOutputs = lora && is_training() && loraHasDropout(lora);
  auto weightOf = [&](const torch::nn::Linear& p) { return loraOnOutputs ? p->weight : effectiveWeight(p, lora); };
  // Without adapters a projection is a plain product (oneDNN's on the CPU); with them, LoRA's own.
  auto project = [&](const torch::nn::Linear& p, const torch::Tensor& in) {
    return lora ? loraProject(p, lora, in, is_training()) : fastLinear(in, p->weight, p->bias);
  };
  auto w = torch::cat({weightOf(q_proj), weightOf(k_proj), weightOf(v_proj)}, 0);  // [(H+2Hkv)*Dh, D]
  torch::Tensor bias;
  if (q_proj->bias.defined()) bias = torch::cat({q_proj->bias, k_proj->bias, v_proj->bias}, 0);
  auto qkv = fastLinear(x, w, bias);                                                // [B,T,(H+2Hkv)*Dh]
  if (loraOnOutputs) qkv = qkv + concatDeltas({&q_proj, &k_proj, &v_proj}, lora, x, qkv);
  const double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
  // The mask the backbone passes is always the causal one, which the fused kernel applies itself.
  const bool fused = x.device().is_cpu() && !(dropout > 0 && is_training()) && fusedAttentionAvailable() &&
                     (qkv.scalar_type() == torch::kFloat32 || qkv.scalar_type() == torch::kBFloat16);
  if (fused) return project(o_proj, fusedCausalAttention(qkv, cos, sin, heads, kvHeads, scale));  // [B,T,D]

  auto q = qkv.narrow(-1, 0, qw).view({B, T, heads, headDim}).transpose(1, 2);          // [B,H,T,Dh]
  auto k = qkv.narrow(-1, qw, kvw).view({B, T, kvHeads, headDim}).transpose(1, 2);      // [B,Hkv,T,Dh]
  auto v = qkv.narrow(-1, qw + kvw, kvw).view({B, T, kvHeads, headDim}).transpose(1, 2);  // [B,Hkv,T,Dh]
  q = applyRope(q, cos, sin);
  k = applyRope(k, cos, sin);
  if (kvHeads != heads) {  // grouped-query attention: each kv head serves heads/kvHeads query heads
    k = k.repeat_interleave(heads / kvHeads, 1);                       // [B,H,T,Dh]
    v = v.repeat_interleave(heads / kvHeads, 1);
  }
  auto scores = torch::matmul(q, k.transpose(-2, -1)) * scale;        // [B,H,T,T]
  scores = scores + causalMask;
  auto probs = torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type());
  if (dropout > 0 && is_training()) probs = F::dropout(probs, F::DropoutFuncOptions().p(dropout).training(true));
  auto out = torch::matmul(probs, v);                                  // [B,H,T,Dh]
  out = out.transpose(1, 2).reshape({B, T, heads * headDim});          // [B,T,D]
  return project(o_proj, out);
}

LlamaMLPImpl::LlamaMLPImpl(const LlamaConfig& c) {
  const int64_t D = c.hidden_size, Fd = c.ffnSize();
  gate_proj = register_module("gate_proj", makeLinear(D, Fd, false));
  up_proj = register_module("up_proj", makeLinear(D, Fd, false));
  down_proj = register_module("down_proj", makeLinear(Fd, D, false));
}

torch::Tensor LlamaMLPImpl::forward(const torch::Tensor& x) {
  // gate and up as one product: [B,T,D] x [D,2F] (their weights stay two HF tensors).
  const bool loraOnOutputs = lora && is_training() && loraHasDropout(lora);
  auto weightOf = [&](const torch::nn::Linear& p) { return loraOnOutputs ? p->weight : effectiveWeight(p, lora); };
  auto project = [&](const torch::nn::Linear& p, const torch::Tensor& in) {
    return lora ? loraProject(p, lora, in, is_training()) : fastLinear(in, p->weight, p->bias);
  };
  auto gateUp = fastLinear(x, torch::cat({weightOf(gate_proj), weightOf(up_proj)}, 0));  // [B,T,2F]
  if (loraOnOutputs) gateUp = gateUp + concatDeltas({&gate_proj, &up_proj}, lora, x, gateUp);
  const int64_t Fd = gate_proj->weight.size(0);
  if (fusedOpsEnabled() && gateUp.device().is_cpu() &&
      (gateUp.scalar_type() == torch::kFloat32 || gateUp.scalar_type() == torch::kBFloat16))
    return project(down_proj, fusedSwiGlu(gateUp));                                       // [B,T,D]
  return project(down_proj, torch::silu(gateUp.narrow(-1, 0, Fd)) * gateUp.narrow(-1, Fd, Fd));
}

LlamaDecoderLayerImpl::LlamaDecoderLayerImpl(const LlamaConfig& c) : hiddenDropout(c.hidden_dropout) {
  self_attn = register_module("self_attn", LlamaAttention(c));
  mlp = register_module("mlp", LlamaMLP(c));
  input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

torch::Tensor LlamaDecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                             const torch::Tensor& causalMask) {
  auto drop = [&](torch::Tensor t) {
    return (hiddenDropout > 0 && is_training()) ? F::dropout(t, F::DropoutFuncOptions().p(hiddenDropout).training(true)) : t;
  };
  auto h = x + drop(self_attn(input_layernorm(x), cos, sin, causalMask));
  return h + drop(mlp(post_attention_layernorm(h)));
}

torch::Tensor LlamaDecoderLayerImpl::forwardAt(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                               const torch::Tensor& positions) {
  const auto& a = *self_attn;
  const int64_t B = x.size(0), T = x.size(1), H = a.heads, Hkv = a.kvHeads, Dh = a.headDim;
  const LoraState* lora = a.lora;
  auto rows = torch::arange(B, positions.options());                                  // [B]
  auto hn = input_layernorm(x);                                                       // [B,T,D]
  auto q = torch::linear(hn.index({rows, positions}), effectiveWeight(a.q_proj, lora), a.q_proj->bias);  // [B,H*Dh]
  torch::Tensor kvBias;
  if (a.k_proj->bias.defined()) kvBias = torch::cat({a.k_proj->bias, a.v_proj->bias}, 0);
  auto kv = torch::linear(hn, torch::cat({effectiveWeight(a.k_proj, lora), effectiveWeight(a.v_proj, lora)}, 0), kvBias);  // [B,T,2*Hkv*Dh]
  auto k = kv.narrow(-1, 0, Hkv * Dh).view({B, T, Hkv, Dh}).transpose(1, 2);          // [B,Hkv,T,Dh]
  auto v = kv.narrow(-1, Hkv * Dh, Hkv * Dh).view({B, T, Hkv, Dh}).transpose(1, 2);   // [B,Hkv,T,Dh]
  auto qr = q.view({B, H, 1, Dh});
  qr = applyRope(qr, cos.index({positions}).view({B, 1, 1, Dh}), sin.index({positions}).view({B, 1, 1, Dh}));  // [B,H,1,Dh]
  k = applyRope(k, cos, sin);
  if (Hkv != H) {
    k = k.repeat_interleave(H / Hkv, 1);                                              // [B,H,T,Dh]
    v = v.repeat_interleave(H / Hkv, 1);
  }
  const double scale = 1.0 / std::sqrt(static_cast<double>(Dh));
  auto scores = torch::matmul(qr, k.transpose(-2, -1)) * scale;                      // [B,H,1,T]
  // Causal: row b's query at positions[b] sees keys 0..positions[b].
  auto future = torch::arange(T, positions.options()).view({1, T}) > positions.view({B, 1});  // [B,T]
  scores = scores.masked_fill(future.view({B, 1, 1, T}), -std::numeric_limits<double>::infinity());
  auto probs = torch::softmax(scores, -1, torch::kFloat32).to(qr.scalar_type());
  auto out = torch::matmul(probs, v).reshape({B, H * Dh});                           // [B,H*Dh]
  auto h = x.index({rows, positions}) + loraProject(a.o_proj, lora, out, is_training());  // [B,D]
  return h + mlp(post_attention_layernorm(h));
}

LlamaBackboneImpl::LlamaBackboneImpl(const LlamaConfig& c) : config(c) {
  c.validate();
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int i = 0; i < c.num_hidden_layers; ++i) layers->push_back(LlamaDecoderLayer(c));
  norm = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

void LlamaBackboneImpl::ensureRope(int64_t T, const torch::Device& device) {
  if (cos_.defined() && cos_.size(0) >= T && cos_.device() == device) return;
  const int64_t n = std::max<int64_t>(T, std::min<int64_t>(config.max_position_embeddings, 4096));
  // theta^(-2i/Dh) with rope_scaling (linear, llama3) applied, in float64 like the tables below.
  auto inv = torch::tensor(config.ropeInverseFrequencies(), torch::kFloat64);  // [Dh/2]
  auto freqs = torch::outer(torch::arange(n, torch::kFloat64), inv);   // [n, Dh/2]
  auto emb = torch::cat({freqs, freqs}, -1);                            // [n, Dh]
  cos_ = emb.cos().to(torch::kFloat32).to(device);
  sin_ = emb.sin().to(torch::kFloat32).to(device);
  mask_ = torch::full({n, n}, -std::numeric_limits<float>::infinity(), torch::TensorOptions().device(device)).triu(1);
}

torch::Tensor LlamaBackboneImpl::embed(const torch::Tensor& ids) {
  const auto& w = embed_tokens->weight;  // [V,D]
  // One pass each way; its backward writes the dense gradient without a zero fill plus index_add.
  if (fusedOpsEnabled() && w.device().is_cpu() && w.scalar_type() == torch::kFloat32) return fusedEmbedding(ids, w);
  return embed_tokens(ids);
}

torch::Tensor LlamaBackboneImpl::forwardEmbeds(const torch::Tensor& inputEmbeds) {
  const int64_t T = inputEmbeds.size(1);
  ensureRope(T, inputEmbeds.device());
  auto cos = cos_.narrow(0, 0, T), sin = sin_.narrow(0, 0, T);          // [T,Dh]
  auto mask = mask_.narrow(0, 0, T).narrow(1, 0, T);                    // [T,T]
  auto h = inputEmbeds;
  for (const auto& layer : *layers) h = layer->as<LlamaDecoderLayer>()->forward(h, cos, sin, mask);
  return norm(h);
}

torch::Tensor LlamaBackboneImpl::forwardEmbedsAt(const torch::Tensor& inputEmbeds, const torch::Tensor& positions) {
  const int64_t T = inputEmbeds.size(1), L = static_cast<int64_t>(layers->size());
  const bool dropout = is_training() && (config.attention_dropout > 0 || config.hidden_dropout > 0 || loraHasDropout(lora.get()));
  if (L == 0 || dropout) {
    auto hidden = forwardEmbeds(inputEmbeds);                                        // [B,T,D]
    return hidden.index({torch::arange(hidden.size(0), positions.options()), positions});
  }
  ensureRope(T, inputEmbeds.device());
  auto cos = cos_.narrow(0, 0, T), sin = sin_.narrow(0, 0, T);                        // [T,Dh]
  auto mask = mask_.narrow(0, 0, T).narrow(1, 0, T);                                  // [T,T]
  auto h = inputEmbeds;
  for (int64_t i = 0; i + 1 < L; ++i) h = layers[i]->as<LlamaDecoderLayer>()->forward(h, cos, sin, mask);
  return norm(layers[L - 1]->as<LlamaDecoderLayer>()->forwardAt(h, cos, sin, positions));  // [B,D]
}

LlamaForTaskImpl::LlamaForTaskImpl(const LlamaConfig& c, HeadKind k) : kind(k) {
  model = register_module("model", LlamaBackbone(c));
  if (kind == HeadKind::CausalLM) {
    if (!c.tie_word_embeddings) lm_head = register_module("lm_head", makeLinear(c.hidden_size, c.vocab_size, false));
  } else {
    if (c.id2label.size() < 2) throw std::invalid_argument("a classifier needs at least two labels (id2label)");
    score = register_module("score", makeLinear(c.hidden_size, static_cast<int64_t>(c.id2label.size()), false));
  }
}

torch::Tensor LlamaForTaskImpl::lmLogits(const torch::Tensor& hidden) {
  if (lm_head) return lm_head(hidden);
  return torch::matmul(hidden, model->embed_tokens->weight.t());       // tied: [B,T,D] x [D,V]
}

torch::Tensor LlamaForTaskImpl::lmLoss(const torch::Tensor& hidden, const torch::Tensor& targets, int64_t ignoreIndex,
                                       double labelSmoothing) {
  const torch::Tensor& w = lm_head ? lm_head->weight : model->embed_tokens->weight;  // [V,D]
  if (!(fusedOpsEnabled() && hidden.device().is_cpu())) {
    auto logits = lmLogits(hidden);                                                      // [B,T,V]
    return torch::nn::functional::cross_entropy(
        logits.reshape({-1, logits.size(-1)}).to(torch::kFloat32), targets.reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(ignoreIndex).label_smoothing(labelSmoothing));
  }
  auto h = hidden.reshape({-1, hidden.size(-1)});                                       // [N,D]
  torch::Tensor wc = w;
  if (at::autocast::is_cpu_enabled()) {  // what autocast does to a linear: both operands in its dtype
    const auto dt = at::autocast::get_autocast_cpu_dtype();
    h = h.to(dt);
    wc = w.to(dt);
  } else if (h.scalar_type() != w.scalar_type()) {
    h = h.to(w.scalar_type());
  }
  return fusedLinearCrossEntropy(h, wc, targets.reshape({-1}), ignoreIndex, labelSmoothing);
}

torch::Tensor LlamaForTaskImpl::classLogits(const torch::Tensor& hidden, const torch::Tensor& lengths) {
  const int64_t B = hidden.size(0);
  auto last = (lengths - 1).clamp_min(0);                                // [B]
  auto pooled = hidden.index({torch::arange(B, lengths.options()), last});  // [B,D]
  return score(pooled);                                                  // [B,C]
}

torch::Tensor LlamaForTaskImpl::classLogitsFromEmbeds(const torch::Tensor& inputEmbeds, const torch::Tensor& lengths) {
  return score(model->forwardEmbedsAt(inputEmbeds, (lengths - 1).clamp_min(0)));    // [B,C]
}

std::string LlamaForTaskImpl::architecture() const {
  return model->config.architecture(kind == HeadKind::CausalLM ? "ForCausalLM" : "ForSequenceClassification");
}

void initLlamaWeights(torch::nn::Module& m, uint64_t seed) {
  torch::NoGradGuard noGrad;
  auto gen = at::detail::createCPUGenerator(seed);
  for (auto& p : m.named_parameters()) {
    const auto& name = p.key();
    auto& t = p.value();
    if (name.find("norm") != std::string::npos && name.size() >= 6 && name.substr(name.size() - 6) == "weight" && t.dim() == 1) {
      t.fill_(1.0);
    } else if (t.dim() == 1) {
      t.zero_();  // biases
    } else {
      t.normal_(0.0, 0.02, gen);
    }
  }
}

}  // namespace fts
