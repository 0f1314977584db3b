#include "core/train/Evaluation.h"

#include "core/data/Batcher.h"
#include "core/train/TaskLoss.h"
#include "core/train/TensorBatch.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>

namespace fts {

EvalResult evaluateSet(TaskModel& model, const EncodedSet& set, int batchSize, std::int64_t padId, const std::atomic<bool>* stop,
                       const MlmMasking* mlm) {
  torch::NoGradGuard noGrad;
  model.module().eval();
  const bool classification = model.head() == TaskHead::SequenceClassification;
  EvalResult r;
  std::vector<std::size_t> order(set.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return set.ids[a].size() < set.ids[b].size(); });
  std::vector<int> predictedOf(set.size(), -1);
  double lossSum = 0, weightSum = 0;
  const std::size_t step = static_cast<std::size_t>(std::max(1, batchSize));
  for (std::size_t start = 0; start < order.size(); start += step) {
    if (stop && stop->load()) break;
    const std::vector<std::size_t> rows(order.begin() + static_cast<std::ptrdiff_t>(start),
                                        order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), start + step)));
    const data::PaddedBatch padded = data::Batcher::pad(set.ids, rows, padId, 1, 0);
    const TensorBatch b = mlm ? maskBatch(toTensorBatch(padded, set, false), padded.indices, *mlm, /*seed=*/0x5eed)
                              : toTensorBatch(padded, set, classification);
    const StepOutput out = forwardLoss(model, b);
    // Weight by what the loss averages over: samples (cls) or predicted tokens (lm).
    const double w = static_cast<double>(b.predicted);
    if (w > 0) {
      lossSum += out.loss.item<double>() * w;
      weightSum += w;
    }
    r.tokens += b.tokens;
    r.predictedTokens += classification ? 0 : b.predicted;
    if (classification) {
      const auto pred = out.logits.argmax(-1).contiguous();
      const auto* p = pred.data_ptr<int64_t>();
      for (std::size_t i = 0; i < rows.size(); ++i) predictedOf[rows[i]] = static_cast<int>(p[i]);
    }
  }
  if (classification)
    for (std::size_t i = 0; i < set.size(); ++i)
      if (predictedOf[i] >= 0) {
        r.truth.push_back(static_cast<int>(set.labels[i]));
        r.predicted.push_back(predictedOf[i]);
      }
  r.loss = weightSum > 0 ? lossSum / weightSum : 0;
  return r;
}

}  // namespace fts
