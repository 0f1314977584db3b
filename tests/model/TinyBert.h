#pragma once
// Tiny BERT encoders for the model tests: hidden 32, 2 layers, 4 heads, vocab 100, two token types,
// with weights far from HF's 0.02 initialisation, so a wrong tensor or a wrong formula moves the
// outputs visibly.
#include "core/model/BertModules.h"

#include <torch/types.h>

#include <cmath>
#include <string>
#include <vector>

namespace tinybert {

inline fts::BertConfig config(bool classifier = true) {
  fts::BertConfig c;
  c.vocab_size = 100;
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 64;
  c.max_position_embeddings = 40;
  c.type_vocab_size = 2;
  c.layer_norm_eps = 1e-12;
  c.pad_token_id = 0;
  if (classifier) c.id2label = {"negative", "neutral", "positive"};
  return c;
}

// Embeddings ~N(0,1), matrices ~N(0, 1/fan_in), biases ~N(0, 0.1), LayerNorm weights ~1 + N(0, 0.1).
inline void randomize(torch::nn::Module& m, uint64_t seed) {
  torch::NoGradGuard noGrad;
  auto gen = at::detail::createCPUGenerator(seed);
  for (auto& p : m.named_parameters()) {
    const std::string& name = p.key();
    auto& t = p.value();
    if (name.find("LayerNorm.weight") != std::string::npos) {
      t.normal_(1.0, 0.1, gen);
    } else if (t.dim() == 1) {
      t.normal_(0.0, 0.1, gen);
    } else if (name.find("embeddings") != std::string::npos) {
      t.normal_(0.0, 1.0, gen);
    } else {
      t.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(t.size(1))), gen);
    }
  }
}

// A batch with right padding: row b has lengths[b] real tokens ([CLS]=1 first, never the pad id 0),
// the second half of each row's tokens of type 1 (a sentence pair), padding of type 0.
struct Batch {
  torch::Tensor ids, types, mask;  // [B,T] int64, [B,T] int64, [B,T] int64 (1 token, 0 pad)
  std::vector<int64_t> lengths;
};

inline Batch batch(const std::vector<int64_t>& lengths, int64_t T, int64_t vocab) {
  const int64_t B = static_cast<int64_t>(lengths.size());
  Batch b{torch::zeros({B, T}, torch::kInt64), torch::zeros({B, T}, torch::kInt64), torch::zeros({B, T}, torch::kInt64), lengths};
  auto ids = b.ids.accessor<int64_t, 2>();
  auto types = b.types.accessor<int64_t, 2>();
  auto mask = b.mask.accessor<int64_t, 2>();
  int64_t k = 7;
  for (int64_t r = 0; r < B; ++r)
    for (int64_t t = 0; t < lengths[r]; ++t) {
      k = (k * 37 + 11) % vocab;
      ids[r][t] = t == 0 ? 1 : (k == 0 ? 2 : k);
      types[r][t] = t >= (lengths[r] + 1) / 2 ? 1 : 0;
      mask[r][t] = 1;
    }
  return b;
}

}  // namespace tinybert
