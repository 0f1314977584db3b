#include "core/train/TaskLoss.h"

#include "core/train/LlamaTaskModel.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

namespace fts {

StepOutput lossFromEmbeds(TaskModel& model, const torch::Tensor& inputEmbeds, const TensorBatch& b, const LossOptions& opts) {
  namespace F = torch::nn::functional;
  if (model.head() == TaskHead::SequenceClassification) {
    auto logits = model.classLogits(inputEmbeds, b.lengths);  // [B,C]
    auto o = F::CrossEntropyFuncOptions().label_smoothing(opts.labelSmoothing);
    if (opts.classWeights.defined()) o.weight(opts.classWeights);
    return {F::cross_entropy(logits.to(torch::kFloat32), b.targets, o), logits};
  }
  // Token losses never keep the [B*T,V] logits (fused head + cross-entropy); nothing reads them here.
  return {model.tokenLoss(inputEmbeds, b.lengths, b.targets, opts.labelSmoothing), torch::Tensor()};
}

StepOutput forwardLoss(TaskModel& model, const TensorBatch& b, const LossOptions& opts) {
  return lossFromEmbeds(model, model.embed(b.ids), b, opts);  // embeddings [B,T,D]
}

StepOutput forwardLoss(LlamaForTask& model, const TensorBatch& b, const LossOptions& opts) {
  LlamaTaskModel wrapped(model);  // shares the module
  return forwardLoss(wrapped, b, opts);
}

AutocastScope::AutocastScope(bool on) : on_(on) {
  if (!on_) return;
  at::autocast::set_cpu_enabled(true);
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!on_) return;
  at::autocast::decrement_nesting();
  at::autocast::set_cpu_enabled(false);
}

bool cpuHasNativeBf16() {
#if defined(__x86_64__) && defined(__GNUC__)
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

}  // namespace fts
