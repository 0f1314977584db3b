#pragma once
// Internal to core/: includes torch. The inputs and arithmetic of export verification: sample texts
// tokenized as training does, logits of a model on them, and the comparison of two sets of logits.
#include "core/export/ExportVerification.h"
#include "core/model/LlamaModules.h"

#include <filesystem>
#include <string>
#include <torch/types.h>
#include <vector>

namespace fts {

class Tokenizer;

struct SampleInputs {
  std::vector<std::string> texts;
  std::vector<std::vector<int64_t>> ids;  // one row per text, as training builds them
};

// A few short texts of different kinds (prose, a question, numbers and punctuation, accents).
std::vector<std::string> defaultSampleTexts();

// BOS + pieces (+ EOS for a classifier, which pools that last token), truncated to the model's
// context. Without a tokenizer (a bare weights folder) each text becomes a fixed pseudo-random id row,
// so the weights are still compared.
SampleInputs makeSampleInputs(const std::vector<std::string>& texts, const Tokenizer* tokenizer,
                              const LlamaConfig& config, bool classifier);

// One tensor per sample, float32: causal LM [T,V] (every position), classifier [C].
std::vector<torch::Tensor> sampleLogits(LlamaForTask& model, const SampleInputs& inputs);

// Max abs difference, argmax agreement per row, and passed = maxAbsDiff <= relativeTolerance *
// max(1, largest |reference logit|): reduced precision moves logits in proportion to their size.
ExportVerification compareLogits(const std::vector<torch::Tensor>& reference, const std::vector<torch::Tensor>& reloaded,
                                 double relativeTolerance);

// A safetensors file for outside checks: "ids.N" (I64 [T]) and "logits.N" (F32 [T,V] or [C]) per sample,
// metadata {"task": "lm"|"cls", "samples": "N", "texts": JSON array}. Written atomically.
void writeReferenceLogits(const std::filesystem::path& file, const SampleInputs& inputs, const std::vector<torch::Tensor>& logits,
                          bool classifier);

}  // namespace fts
