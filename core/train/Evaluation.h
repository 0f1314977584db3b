#pragma once
// Internal to core/: includes torch. Evaluates a model on an encoded set: mean loss, and the
// predicted class of every sample (classification).
#include "core/model/LlamaModules.h"
#include "core/model/TaskModel.h"
#include "core/train/MaskedLm.h"
#include "core/train/SampleEncoding.h"

#include <atomic>
#include <vector>

namespace fts {

struct EvalResult {
  double loss = 0;              // mean over samples (cls) or predicted tokens (lm)
  std::vector<int> truth, predicted;  // classification, in the set's order
  std::int64_t tokens = 0;
  std::int64_t predictedTokens = 0;   // lm: tokens the loss averages over
};

// Batches rows of similar length together (order does not change a mean). Stops early, with what it
// has, when `stop` turns true. Leaves the model in eval mode; the caller restores train mode. With
// `mlm`, a masked LM is scored on one fixed draw of masks (the same at every evaluation).
EvalResult evaluateSet(TaskModel& model, const EncodedSet& set, int batchSize, std::int64_t padId,
                       const std::atomic<bool>* stop = nullptr,
                       const MlmMasking* mlm = nullptr);

}  // namespace fts
