#pragma once
// A trained model loaded for use: predict a label (classifier) or continue a text (causal LM),
// and evaluate on a data file. Torch stays inside the .cpp (pimpl), so the CLI and GUI can use it.
#include "core/data/DatasetLoader.h"
#include "core/eval/ClassificationMetrics.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fts {

struct Prediction {
  std::string label;                                    // classifier: the most probable label
  std::vector<std::pair<std::string, double>> scores;   // classifier: label, probability (descending)
  std::string continuation;                             // causal LM: generated text
};

struct Evaluation {
  std::map<std::string, double> metrics;  // accuracy, macro_f1, weighted_f1, loss | loss, perplexity
  std::vector<std::string> labels;
  ClassificationReport report;            // classifier only
  std::int64_t samples = 0;
};

struct GenerationOptions {
  int maxNewTokens = 40;
  double temperature = 0.0;        // 0: greedy
  int topK = 0;                    // sampling: only the k most likely tokens (0: all)
  double repetitionPenalty = 1.0;  // > 1: tokens already in the text get less likely (CTRL's rule, as HF's)
  std::uint64_t seed = 0;
};

class RunModel {
 public:
  // A run folder (uses its model/ folder, else its best or newest checkpoint) or an HF model folder.
  static RunModel load(const std::filesystem::path& folder);
  RunModel(RunModel&&) noexcept;
  RunModel& operator=(RunModel&&) noexcept;
  ~RunModel();

  bool isClassifier() const;
  std::string source() const;  // what was loaded, for the user
  Prediction predict(const std::string& text, const GenerationOptions& gen = {}) const;
  // pack: causal LM only, score the texts joined and cut into blocks of maxLen tokens, as pretraining
  // does (the held-out perplexity of a base model); otherwise each text on its own.
  Evaluation evaluate(const std::filesystem::path& dataFile, const data::LoadOptions& options, int maxLen, bool pack = false) const;

 private:
  struct Impl;
  explicit RunModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fts
