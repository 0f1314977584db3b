#pragma once
// Tiny models for the export tests: shapes that reach every feature the exports must get right
// (grouped-query attention, q/k/v/o biases, rows that are whole Q8_0 blocks, a vocabulary padded
// past the tokenizer's pieces) and weights far from initialisation, so a wrong tensor or layout
// moves the logits visibly. The tokenizer is a real SentencePiece model trained on a few sentences.
#include "core/io/HfModelFolder.h"
#include "core/model/LlamaModules.h"
#include "core/text/SentencePieceTokenizer.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace exportfx {

inline fts::SentencePieceTokenizer trainTokenizer(const std::filesystem::path& file) {
  std::vector<std::string> sentences;
  const char* words[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "model", "data", "export", "weights",
                         "what", "does", "remember", "training", "prices", "rose", "fell", "points", "café", "naïve"};
  for (int i = 0; i < 300; ++i) {
    std::string s;
    for (int k = 0; k < 8; ++k) s += std::string(k ? " " : "") + words[(i * 7 + k * 5 + k * k) % 22];
    sentences.push_back(s + " " + std::to_string(i % 50) + (i % 3 ? "." : "?"));
  }
  fts::TokenizerTrainOptions o;
  o.vocabSize = 300;  // 256 byte pieces + special + a few dozen words
  o.hardVocabLimit = false;
  o.threads = 1;
  return fts::SentencePieceTokenizer::train(sentences, o, file);
}

inline fts::LlamaConfig config(int vocab, bool classifier = false, bool tied = false) {
  fts::LlamaConfig c;
  c.vocab_size = vocab;
  c.hidden_size = 64;
  c.intermediate_size = 96;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;   // head size 16
  c.num_key_value_heads = 2;
  c.max_position_embeddings = 64;
  c.rope_theta = 10000.0;
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
    if (name.find("norm") != std::string::npos) t.normal_(1.0, 0.1, gen);
    else if (t.dim() == 1) t.normal_(0.0, 0.1, gen);
    else if (name.find("embed_tokens") != std::string::npos) t.normal_(0.0, 1.0, gen);
    else t.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(t.size(1))), gen);
  }
}

// A model folder as training hands it over: config.json, model.safetensors, tokenizer.model.
inline fts::LlamaForTask makeModelFolder(const std::filesystem::path& folder, const fts::SentencePieceTokenizer& tok, bool classifier,
                                         bool tied = false, uint64_t seed = 7) {
  // Five embedding rows past the tokenizer's pieces, as a vocabulary rounded up would have.
  fts::LlamaForTask model(config(tok.vocabSize() + 5, classifier, tied),
                          classifier ? fts::HeadKind::SequenceClassification : fts::HeadKind::CausalLM);
  randomize(*model, seed);
  model->eval();
  fts::saveHfModelFolder(folder, model, &tok);
  return model;
}

// Logits of `model` on `ids` [1,T]: causal LM [T,V], classifier [C].
inline torch::Tensor logits(fts::LlamaForTask& model, const std::vector<int64_t>& row) {
  torch::NoGradGuard noGrad;
  auto ids = torch::tensor(row, torch::kInt64).unsqueeze(0);
  auto hidden = model->model->forwardEmbeds(model->model->embed(ids));
  if (model->kind == fts::HeadKind::SequenceClassification)
    return model->classLogits(hidden, torch::tensor({static_cast<int64_t>(row.size())}, torch::kInt64))[0];
  return model->lmLogits(hidden)[0];
}

}  // namespace exportfx
