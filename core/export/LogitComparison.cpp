#include "core/export/LogitComparison.h"

#include "core/io/SafetensorsWriter.h"
#include "core/io/TorchTensors.h"
#include "core/text/Tokenizer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fts {

std::vector<std::string> defaultSampleTexts() {
  return {
      "The quick brown fox jumps over the lazy dog.",
      "What does a fine-tuned model remember about its training data?",
      "Prices rose 3.5% in 2023, then fell by 12 points -- or so they say!",
      "Café, naïve, façade: accents and a few symbols (x² + y² = z²).",
  };
}

SampleInputs makeSampleInputs(const std::vector<std::string>& texts, const Tokenizer* tok, const LlamaConfig& c,
                              bool classifier) {
  SampleInputs in;
  in.texts = texts;
  const size_t maxLen = static_cast<size_t>(std::max(2, c.max_position_embeddings));
  uint64_t state = 12345;
  for (const auto& text : texts) {
    std::vector<int64_t> row;
    if (tok) {
      std::vector<int> body = tok->encode(text);
      const size_t room = maxLen - (classifier ? 2 : 1);
      if (body.size() > room) body.resize(room);
      row.push_back(tok->bosId() >= 0 ? tok->bosId() : c.bos_token_id);
      row.insert(row.end(), body.begin(), body.end());
      if (classifier) row.push_back(tok->eosId() >= 0 ? tok->eosId() : c.eos_token_id);
    } else {
      // No tokenizer: a fixed row of ids per text (a linear congruential sequence), never the pad id.
      const size_t n = std::min<size_t>(maxLen, 8 + text.size() % 9);
      for (size_t i = 0; i < n; ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        int64_t id = static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(c.vocab_size));
        if (id == c.pad_token_id) id = (id + 1) % c.vocab_size;
        row.push_back(id);
      }
    }
    in.ids.push_back(std::move(row));
  }
  return in;
}

std::vector<torch::Tensor> sampleLogits(LlamaForTask& model, const SampleInputs& inputs) {
  torch::NoGradGuard noGrad;
  model->eval();
  std::vector<torch::Tensor> out;
  // One sample at a time: no padding, so nothing depends on how a batch would be masked.
  for (const auto& row : inputs.ids) {
    auto ids = torch::tensor(row, torch::kInt64).unsqueeze(0);                   // [1,T]
    auto hidden = model->model->forwardEmbeds(model->model->embed(ids));        // [1,T,D]
    if (model->kind == HeadKind::SequenceClassification) {
      auto lengths = torch::tensor({static_cast<int64_t>(row.size())}, torch::kInt64);
      out.push_back(model->classLogits(hidden, lengths)[0].to(torch::kFloat32).contiguous());  // [C]
    } else {
      out.push_back(model->lmLogits(hidden)[0].to(torch::kFloat32).contiguous());              // [T,V]
    }
  }
  return out;
}

ExportVerification compareLogits(const std::vector<torch::Tensor>& reference, const std::vector<torch::Tensor>& reloaded,
                                 double relativeTolerance) {
  if (reference.size() != reloaded.size()) throw std::logic_error("compareLogits: sample counts differ");
  ExportVerification v;
  v.samples = static_cast<int>(reference.size());
  int64_t agree = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    const auto& a = reference[i];
    const auto& b = reloaded[i];
    if (a.sizes() != b.sizes()) throw std::runtime_error("the reloaded export gives logits of another shape: it is not the same model");
    auto a2 = a.dim() == 1 ? a.unsqueeze(0) : a;  // [rows, classes]
    auto b2 = b.dim() == 1 ? b.unsqueeze(0) : b;
    v.maxAbsDiff = std::max(v.maxAbsDiff, (a2 - b2).abs().max().item<double>());
    v.maxAbsLogit = std::max(v.maxAbsLogit, a2.abs().max().item<double>());
    agree += (a2.argmax(-1) == b2.argmax(-1)).sum().item<int64_t>();
    v.positions += a2.size(0);
  }
  v.argmaxAgreement = v.positions > 0 ? static_cast<double>(agree) / static_cast<double>(v.positions) : 1.0;
  v.tolerance = relativeTolerance * std::max(1.0, v.maxAbsLogit);
  v.passed = std::isfinite(v.maxAbsDiff) && v.maxAbsDiff <= v.tolerance;
  return v;
}

void writeReferenceLogits(const std::filesystem::path& file, const SampleInputs& inputs, const std::vector<torch::Tensor>& logits,
                          bool classifier) {
  std::vector<TensorForWrite> keep;  // the views point into these
  for (size_t i = 0; i < inputs.ids.size(); ++i) {
    keep.push_back(prepareForWrite("ids." + std::to_string(i), torch::tensor(inputs.ids[i], torch::kInt64)));
    keep.push_back(prepareForWrite("logits." + std::to_string(i), logits[i], SafetensorsDtype::F32));
  }
  std::vector<TensorView> views;
  for (const auto& k : keep) views.push_back(k.view);
  SafetensorsMetadata meta;
  meta["task"] = classifier ? "cls" : "lm";
  meta["samples"] = std::to_string(inputs.ids.size());
  meta["texts"] = nlohmann::json(inputs.texts).dump();
  writeSafetensors(file, views, meta);
}

}  // namespace fts
