#pragma once
// A pretraining recipe (*.recipe.json): a project file for a causal LM trained from scratch on a
// corpus, plus where the result goes. `ftstudio pretrain --recipe FILE` runs it and publishes the
// model as a Hugging Face folder with its held-out perplexity and its curve. Paths are relative to
// the recipe's folder. Torch-free.
//
//   { "name": ..., "description": ...,
//     "prepare": "prepare-corpus.sh",            the script that makes the corpus (named in errors)
//     "task": "lm", "data": {...}, "tokenizer": {...}, "model": {...}, "train": {...},   as TrainConfig
//     "output": { "model": "model", "dtype": "bf16", "report": "pretrain-report.json",
//                 "curve": "pretrain-curve.svg" } }
#include "core/train/TrainConfig.h"

#include <filesystem>
#include <string>

namespace fts {

struct PretrainRecipe {
  std::string name;
  std::filesystem::path path;          // the recipe file, absolute
  std::filesystem::path prepareScript; // empty when the recipe names none
  TrainConfig config;                  // paths resolved
  std::filesystem::path modelOut;      // the published HF folder
  std::string dtype = "bf16";          // f32 | f16 | bf16
  std::filesystem::path reportOut;     // JSON: corpus, run, figures
  std::filesystem::path curveOut;      // SVG: training and held-out loss by tokens

  // Throws std::invalid_argument naming the file and the key: not JSON, unknown keys, a task other
  // than lm, a model base (pretraining starts from scratch), a missing output.model.
  static PretrainRecipe load(const std::filesystem::path& file);
};

}  // namespace fts
