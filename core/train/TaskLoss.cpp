#include "core/train/TaskLoss.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

namespace fts {

StepOutput forwardLoss(LlamaForTask& model, const TensorBatch& b, const LossOptions& opts) {
  namespace F = torch::nn::functional;
  if (model->kind == HeadKind::SequenceClassification) {
    // The last layer runs only at each row's pooled token: the same logits and gradients as
    // classLogits(forwardEmbeds(..)), a fifth less work for a classifier's step.
    auto logits = model->classLogitsFromEmbeds(model->model->embed(b.ids), b.lengths);  // [B,C]
    auto o = F::CrossEntropyFuncOptions().label_smoothing(opts.labelSmoothing);
    if (opts.classWeights.defined()) o.weight(opts.classWeights);
    return {F::cross_entropy(logits.to(torch::kFloat32), b.targets, o), logits};
  }
  auto hidden = model->model->forwardEmbeds(model->model->embed(b.ids));  // [B,T,D]
  // lmLoss never keeps the [B*T,V] logits on the CPU (fused head + cross-entropy: less memory, fewer
  // passes); nothing reads LM logits from here.
  return {model->lmLoss(hidden, b.targets, -100, opts.labelSmoothing), torch::Tensor()};
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
