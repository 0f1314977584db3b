#pragma once
// Internal to core/: includes torch. The loss of a batch for the model's head: cross-entropy over
// classes, or the token cross-entropy of a causal or masked LM. Any model kind (TaskModel).
#include "core/model/LlamaModules.h"
#include "core/model/TaskModel.h"
#include "core/train/TensorBatch.h"

namespace fts {

struct LossOptions {
  torch::Tensor classWeights;  // [C] or undefined
  double labelSmoothing = 0;
};

struct StepOutput {
  torch::Tensor loss;    // float32 scalar, mean over rows (cls) or predicted tokens (lm)
  torch::Tensor logits;  // classification: [B,C]; causal LM: undefined (never materialised)
};

StepOutput forwardLoss(TaskModel& model, const TensorBatch& batch, const LossOptions& options = {});
// The same from input embeddings [B,T,D] (model.embed(batch.ids), perhaps perturbed): what
// adversarial steps call, so they work on every model kind.
StepOutput lossFromEmbeds(TaskModel& model, const torch::Tensor& inputEmbeds, const TensorBatch& batch, const LossOptions& options = {});
// A decoder without the interface (benchmarks, tests of the decoder itself).
StepOutput forwardLoss(LlamaForTask& model, const TensorBatch& batch, const LossOptions& options = {});

// CPU autocast to bf16 for a scope (matrix products in bf16, reductions and losses in fp32).
class AutocastScope {
 public:
  explicit AutocastScope(bool on);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_;
};

// Whether this CPU computes bf16 natively (AVX512-BF16); elsewhere autocast would be slower than fp32.
bool cpuHasNativeBf16();

}  // namespace fts
