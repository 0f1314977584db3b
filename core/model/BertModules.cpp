#include "core/model/BertModules.h"

#include "core/model/BertAttention.h"
#include "core/model/FusedOps.h"
#include "core/model/Lora.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace fts {
namespace F = torch::nn::functional;

namespace {

torch::nn::Linear makeLinear(int64_t in, int64_t out) { return torch::nn::Linear(torch::nn::LinearOptions(in, out)); }

torch::nn::LayerNorm makeLayerNorm(const BertConfig& c) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps));
}

torch::Tensor dropoutIf(const torch::Tensor& t, double p, bool training) {
  return (p > 0 && training) ? F::dropout(t, F::DropoutFuncOptions().p(p).training(true)) : t;
}

// HF's "gelu" is the exact erf form; "gelu_new" / "gelu_pytorch_tanh" the tanh approximation.
torch::Tensor gelu(const torch::Tensor& x, bool tanhApproximation) { return torch::gelu(x, tanhApproximation ? "tanh" : "none"); }

// A projection without adapters is a plain product (oneDNN's on the CPU in fp32); with them, LoRA's.
torch::Tensor project(const torch::nn::Linear& p, const LoraState* lora, const torch::Tensor& x, bool training) {
  return lora ? loraProject(p, lora, x, training) : fastLinear(x, p->weight, p->bias);
}

// LayerNorm in its weight's dtype: under bf16 autocast the products come out in bf16, and
// LibTorch 1.13's CPU layer_norm takes no mixed dtypes (later versions run it in fp32 under autocast).
torch::Tensor normalize(torch::nn::LayerNorm& norm, const torch::Tensor& x) {
  const auto dt = norm->weight.scalar_type();
  return norm(x.scalar_type() == dt ? x : x.to(dt));
}

bool fusedLookup(const torch::Tensor& w) { return fusedOpsEnabled() && w.device().is_cpu() && w.scalar_type() == torch::kFloat32; }

}  // namespace

// ---- embeddings -----------------------------------------------------------------------------------

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& c) : dropout(c.hidden_dropout_prob) {
  word_embeddings = register_module("word_embeddings", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  position_embeddings = register_module("position_embeddings", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
  token_type_embeddings = register_module("token_type_embeddings", torch::nn::Embedding(c.type_vocab_size, c.hidden_size));
  layer_norm = register_module("LayerNorm", makeLayerNorm(c));
}

torch::Tensor BertEmbeddingsImpl::embed(const torch::Tensor& ids) {
  const auto& w = word_embeddings->weight;  // [V,D]
  // One pass each way; its backward writes the dense gradient without a zero fill plus index_add.
  return fusedLookup(w) ? fusedEmbedding(ids, w) : word_embeddings(ids);
}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& inputEmbeds, const torch::Tensor& tokenTypeIds) {
  const int64_t T = inputEmbeds.size(1);
  const int64_t maxT = position_embeddings->weight.size(0);
  if (T > maxT)
    throw std::invalid_argument("BERT input of " + std::to_string(T) + " tokens is longer than max_position_embeddings (" +
                                std::to_string(maxT) + "): truncate the text to at most that many tokens");
  auto h = inputEmbeds + position_embeddings->weight.narrow(0, 0, T);  // [B,T,D] + [T,D]
  const auto& tw = token_type_embeddings->weight;                     // [types,D]
  if (tokenTypeIds.defined())
    h = h + (fusedLookup(tw) ? fusedEmbedding(tokenTypeIds, tw) : token_type_embeddings(tokenTypeIds));  // [B,T,D]
  else
    h = h + tw[0];  // every token of type 0, as HF's default token_type_ids
  return dropoutIf(normalize(layer_norm, h), dropout, is_training());
}

// ---- attention ------------------------------------------------------------------------------------

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertConfig& c)
    : heads(c.num_attention_heads), headDim(c.headDim()), dropout(c.attention_probs_dropout_prob) {
  const int64_t D = c.hidden_size;
  query = register_module("query", makeLinear(D, D));
  key = register_module("key", makeLinear(D, D));
  value = register_module("value", makeLinear(D, D));
}

torch::Tensor BertSelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& additiveMask) {
  const int64_t B = x.size(0), T = x.size(1), H = heads, Dh = headDim, D = H * Dh;
  // One product for q, k and v instead of three: [B,T,D] x [D,3D]. The weights stay three HF tensors;
  // their gradients come back through the concatenation (a copy of 3*D*D, small beside B*T*D*3D work).
  // LoRA as in Llama's attention: without adapter dropout the update folds into the weights; with it,
  // the update needs the dropped-out input and is added to the output.
  const bool loraOnOutputs = lora && is_training() && loraHasDropout(lora);
  auto weightOf = [&](const torch::nn::Linear& p) { return loraOnOutputs ? p->weight : effectiveWeight(p, lora); };
  auto w = torch::cat({weightOf(query), weightOf(key), weightOf(value)}, 0);  // [3D,D]
  auto b = torch::cat({query->bias, key->bias, value->bias}, 0);              // [3D]
  auto qkv = fastLinear(x, w, b);                                             // [B,T,3D]
  if (loraOnOutputs) qkv = qkv + concatDeltas({&query, &key, &value}, lora, x, qkv);
  const double scale = 1.0 / std::sqrt(static_cast<double>(Dh));
  const double p = is_training() ? dropout : 0.0;
  if (x.device().is_cpu() && fusedBertAttentionAvailable() &&
      (qkv.scalar_type() == torch::kFloat32 || qkv.scalar_type() == torch::kBFloat16))
    return fusedBertAttention(qkv, additiveMask, H, scale, p);  // [B,T,D]: per-head tiles in cache
  // Views, no copies: [B,T,3,H,Dh] -> [3,B,H,T,Dh].
  auto parts = qkv.view({B, T, 3, H, Dh}).permute({2, 0, 3, 1, 4});
  // The 1/sqrt(Dh) goes on q ([B,H,T,Dh]) rather than on the scores ([B,H,T,T]): T/Dh times less work.
  auto q = parts[0] * scale;                                         // [B,H,T,Dh]
  auto k = parts[1];                                                 // [B,H,T,Dh]
  auto v = parts[2];                                                 // [B,H,T,Dh]
  auto scores = torch::matmul(q, k.transpose(-2, -1));               // [B,H,T,T]
  if (additiveMask.defined()) scores = scores + additiveMask;        // + [B,1,1,T]: padding keys get nothing
  auto probs = torch::softmax(scores, -1, torch::kFloat32).to(v.scalar_type());  // [B,H,T,T]
  probs = dropoutIf(probs, p, true);
  auto context = torch::matmul(probs, v);                            // [B,H,T,Dh]
  return context.transpose(1, 2).reshape({B, T, D});                 // [B,T,D]
}

BertResidualOutputImpl::BertResidualOutputImpl(int64_t in, const BertConfig& c) : dropout(c.hidden_dropout_prob) {
  dense = register_module("dense", makeLinear(in, c.hidden_size));
  layer_norm = register_module("LayerNorm", makeLayerNorm(c));
}

torch::Tensor BertResidualOutputImpl::forward(const torch::Tensor& h, const torch::Tensor& residual) {
  // Post-LayerNorm, as BERT: LayerNorm(dropout(dense(h)) + residual).
  return normalize(layer_norm, dropoutIf(project(dense, lora, h, is_training()), dropout, is_training()) + residual);  // [B,T,D]
}

BertAttentionImpl::BertAttentionImpl(const BertConfig& c) {
  self = register_module("self", BertSelfAttention(c));
  output = register_module("output", BertResidualOutput(c.hidden_size, c));
}

torch::Tensor BertAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& additiveMask) {
  return output(self(x, additiveMask), x);  // [B,T,D]
}

// ---- feed-forward ---------------------------------------------------------------------------------

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& c) : tanhGelu(c.tanhGelu()) {
  dense = register_module("dense", makeLinear(c.hidden_size, c.intermediate_size));
}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& x) {
  return gelu(project(dense, lora, x, is_training()), tanhGelu);  // [B,T,F]
}

BertLayerImpl::BertLayerImpl(const BertConfig& c) {
  attention = register_module("attention", BertAttention(c));
  intermediate = register_module("intermediate", BertIntermediate(c));
  output = register_module("output", BertResidualOutput(c.intermediate_size, c));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& additiveMask) {
  auto a = attention(x, additiveMask);  // [B,T,D]
  return output(intermediate(a), a);    // [B,T,F] -> [B,T,D]
}

BertEncoderImpl::BertEncoderImpl(const BertConfig& c) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int i = 0; i < c.num_hidden_layers; ++i) layer->push_back(BertLayer(c));
}

torch::Tensor BertEncoderImpl::forward(const torch::Tensor& x, const torch::Tensor& additiveMask) {
  auto h = x;
  for (const auto& l : *layer) h = l->as<BertLayer>()->forward(h, additiveMask);
  return h;
}

BertPoolerImpl::BertPoolerImpl(const BertConfig& c) { dense = register_module("dense", makeLinear(c.hidden_size, c.hidden_size)); }

torch::Tensor BertPoolerImpl::forward(const torch::Tensor& hidden) {
  return torch::tanh(fastLinear(hidden.select(1, 0), dense->weight, dense->bias));  // [B,D] from [CLS]
}

// ---- BertModel ------------------------------------------------------------------------------------

torch::Tensor bertAdditiveMask(const torch::Tensor& attentionMask) {
  if (!attentionMask.defined()) return {};
  const int64_t B = attentionMask.size(0), T = attentionMask.size(1);
  auto pad = attentionMask.to(torch::kFloat32).eq(0);  // [B,T]
  return torch::zeros({B, T}, attentionMask.options().dtype(torch::kFloat32))
      .masked_fill_(pad, std::numeric_limits<float>::lowest())
      .view({B, 1, 1, T});
}

BertModelImpl::BertModelImpl(const BertConfig& c, bool addPooler) : config(c) {
  c.validate();
  embeddings = register_module("embeddings", BertEmbeddings(c));
  encoder = register_module("encoder", BertEncoder(c));
  if (addPooler) pooler = register_module("pooler", BertPooler(c));
}

torch::Tensor BertModelImpl::embed(const torch::Tensor& ids) { return embeddings->embed(ids); }

torch::Tensor BertModelImpl::forwardEmbeds(const torch::Tensor& inputEmbeds, const torch::Tensor& attentionMask,
                                           const torch::Tensor& tokenTypeIds) {
  return encoder(embeddings(inputEmbeds, tokenTypeIds), bertAdditiveMask(attentionMask));  // [B,T,D]
}

BertLayerImpl& BertModelImpl::layerAt(size_t i) { return *encoder->layer[i]->as<BertLayer>(); }

std::vector<BertParameterGroup> BertModelImpl::parameterGroups() {
  std::vector<BertParameterGroup> groups;
  groups.push_back({"embeddings", embeddings->parameters()});
  for (size_t i = 0; i < layerCount(); ++i) groups.push_back({"encoder.layer." + std::to_string(i), layerAt(i).parameters()});
  return groups;
}

// ---- heads ----------------------------------------------------------------------------------------

BertForSequenceClassificationImpl::BertForSequenceClassificationImpl(const BertConfig& c) : dropout(c.classifierDropout()) {
  if (c.id2label.size() < 2) throw std::invalid_argument("a classifier needs at least two labels (id2label)");
  bert = register_module("bert", BertModel(c, /*addPooler=*/true));
  classifier = register_module("classifier", makeLinear(c.hidden_size, static_cast<int64_t>(c.id2label.size())));
}

torch::Tensor BertForSequenceClassificationImpl::classLogits(const torch::Tensor& hidden, const torch::Tensor& attentionMask) {
  torch::Tensor pooled;  // [B,D]
  if (bert->config.classifier_pooling == "mean") {
    // The mean of the token rows, as sentence-transformers pools: padding neither adds nor counts.
    auto m = attentionMask.defined() ? attentionMask.to(hidden.scalar_type()).unsqueeze(-1)      // [B,T,1]
                                     : torch::ones({hidden.size(0), hidden.size(1), 1}, hidden.options());
    pooled = (hidden * m).sum(1) / m.sum(1).clamp_min(1e-9);  // [B,D]
  } else {
    pooled = bert->pooler(hidden);  // [B,D]
  }
  return fastLinear(dropoutIf(pooled, dropout, is_training()), classifier->weight, classifier->bias);  // [B,C]
}

torch::Tensor BertForSequenceClassificationImpl::classLogitsFromEmbeds(const torch::Tensor& inputEmbeds,
                                                                      const torch::Tensor& attentionMask,
                                                                      const torch::Tensor& tokenTypeIds) {
  return classLogits(bert->forwardEmbeds(inputEmbeds, attentionMask, tokenTypeIds), attentionMask);
}

std::vector<BertParameterGroup> BertForSequenceClassificationImpl::parameterGroups() {
  auto groups = bert->parameterGroups();
  auto head = bert->pooler->parameters();
  for (const auto& p : classifier->parameters()) head.push_back(p);
  groups.push_back({"head", head});
  return groups;
}

BertPredictionHeadTransformImpl::BertPredictionHeadTransformImpl(const BertConfig& c) : tanhGelu(c.tanhGelu()) {
  dense = register_module("dense", makeLinear(c.hidden_size, c.hidden_size));
  layer_norm = register_module("LayerNorm", makeLayerNorm(c));
}

torch::Tensor BertPredictionHeadTransformImpl::forward(const torch::Tensor& h) {
  return normalize(layer_norm, gelu(fastLinear(h, dense->weight, dense->bias), tanhGelu));  // [...,D]
}

BertLMPredictionHeadImpl::BertLMPredictionHeadImpl(const BertConfig& c) {
  transform = register_module("transform", BertPredictionHeadTransform(c));
  bias = register_parameter("bias", torch::zeros({c.vocab_size}));
}

BertOnlyMLMHeadImpl::BertOnlyMLMHeadImpl(const BertConfig& c) {
  predictions = register_module("predictions", BertLMPredictionHead(c));
}

BertForMaskedLMImpl::BertForMaskedLMImpl(const BertConfig& c) {
  if (!c.tie_word_embeddings)
    throw std::invalid_argument("BertForMaskedLM with tie_word_embeddings false (a separate decoder matrix) is not supported");
  bert = register_module("bert", BertModel(c, /*addPooler=*/false));
  cls = register_module("cls", BertOnlyMLMHead(c));
}

torch::Tensor BertForMaskedLMImpl::mlmLogits(const torch::Tensor& hidden) {
  auto& p = *cls->predictions;
  // The decoder is tied to the word embeddings: [B,T,D] x [D,V] + bias [V].
  return fastLinear(p.transform->forward(hidden), bert->embeddings->word_embeddings->weight, p.bias);  // [B,T,V]
}

torch::Tensor BertForMaskedLMImpl::mlmLoss(const torch::Tensor& hidden, const torch::Tensor& targets, int64_t ignoreIndex) {
  const int64_t D = hidden.size(-1);
  auto flatTargets = targets.reshape({-1});                            // [N]
  auto rows = flatTargets.ne(ignoreIndex).nonzero().squeeze(1);        // [M], M about 0.15 N
  auto h = hidden.reshape({-1, D}).index_select(0, rows);              // [M,D]
  auto logits = mlmLogits(h);                                          // [M,V]: only the predicted rows
  return F::cross_entropy(logits.to(torch::kFloat32), flatTargets.index_select(0, rows));
}

std::vector<BertParameterGroup> BertForMaskedLMImpl::parameterGroups() {
  auto groups = bert->parameterGroups();
  groups.push_back({"head", cls->parameters()});
  return groups;
}

void initBertWeights(torch::nn::Module& m, int padTokenId, uint64_t seed) {
  torch::NoGradGuard noGrad;
  auto gen = at::detail::createCPUGenerator(seed);
  for (auto& p : m.named_parameters()) {
    const auto& name = p.key();
    auto& t = p.value();
    const bool layerNorm = name.find("LayerNorm.") != std::string::npos;
    if (layerNorm && t.dim() == 1 && name.size() >= 6 && name.substr(name.size() - 6) == "weight") {
      t.fill_(1.0);
    } else if (t.dim() == 1) {
      t.zero_();  // biases, LayerNorm biases, cls.predictions.bias
    } else {
      t.normal_(0.0, 0.02, gen);
      const std::string tail = "word_embeddings.weight";
      const bool words = name.size() >= tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
      if (words && padTokenId >= 0 && padTokenId < t.size(0))
        t[padTokenId].zero_();  // HF's padding_idx row
    }
  }
}

}  // namespace fts
