#pragma once
// Tiny Llama models for the io tests: a shape with every feature the loader must get right (grouped-query
// attention, q/k/v biases, a large rope_theta) and weights far from HF's 0.02 initialisation, so a wrong
// tensor or a wrong formula moves the logits visibly.
#include "core/model/LlamaModules.h"

#include <torch/types.h>

namespace tiny {

inline fts::LlamaConfig config(bool tied, bool classifier = false) {
  fts::LlamaConfig c;
  c.vocab_size = 64;
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;  // GQA: two query heads per kv head
  c.max_position_embeddings = 64;
  c.rope_theta = 500000.0;
  c.rms_norm_eps = 1e-5;
  c.attention_bias = true;
  c.tie_word_embeddings = tied;
  if (classifier) c.id2label = {"negative", "neutral", "positive"};
  return c;
}

// Embeddings ~N(0,1), matrices ~N(0, 1/fan_in), biases ~N(0, 0.1), norm weights ~1 + N(0, 0.1).
inline void randomize(torch::nn::Module& m, uint64_t seed) {
  torch::NoGradGuard noGrad;
  auto gen = at::detail::createCPUGenerator(seed);
  for (auto& p : m.named_parameters()) {
    const std::string& name = p.key();
    auto& t = p.value();
    if (name.find("norm") != std::string::npos) {
      t.normal_(1.0, 0.1, gen);
    } else if (t.dim() == 1) {
      t.normal_(0.0, 0.1, gen);
    } else if (name.find("embed_tokens") != std::string::npos) {
      t.normal_(0.0, 1.0, gen);
    } else {
      t.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(t.size(1))), gen);
    }
  }
}

// ids [B,T] int64 with right padding by `pad`: row b has lengths[b] real tokens (never the pad id).
inline torch::Tensor paddedIds(const std::vector<int64_t>& lengths, int64_t T, int64_t pad, int64_t vocab) {
  auto ids = torch::full({static_cast<int64_t>(lengths.size()), T}, pad, torch::kInt64);
  auto acc = ids.accessor<int64_t, 2>();
  int64_t k = 5;
  for (size_t b = 0; b < lengths.size(); ++b)
    for (int64_t t = 0; t < lengths[b]; ++t) {
      k = (k * 37 + 11) % vocab;
      acc[b][t] = (k == pad) ? pad + 1 : k;
    }
  return ids;
}

}  // namespace tiny
