#pragma once
// Internal to core/: includes torch. Our own AdamW and SGD, so their state is plain named tensors
// that a checkpoint writes to safetensors and reads back exactly (no pickled optimizer objects).
#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fts {

struct NamedParam {
  std::string name;
  torch::Tensor tensor;
  bool decay = true;        // weight decay applies (matrices); norms and biases get none
  double lrScale = 1.0;     // discriminative learning rates: this parameter's share of the lr
};

class ParamOptimizer {
 public:
  virtual ~ParamOptimizer() = default;
  virtual void step(double lr) = 0;
  void zeroGrad();
  // Clips by the global L2 norm of the gradients as torch::nn::utils::clip_grad_norm_ does (scale
  // by maxNorm / (norm + 1e-6) when that is below 1) and returns the norm before clipping. Cheaper:
  // one read pass over the gradients (sumOfSquares) instead of a norm per tensor, and the scale is
  // applied inside the next step() (AdamW's fused update reads it) instead of a multiply pass over
  // every gradient; until that step, grad() holds the unclipped values.
  double clipGradNorm(double maxNorm);
  // Every state tensor by a stable name ("exp_avg/model.layers.0.mlp.up_proj.weight", ...).
  virtual std::map<std::string, torch::Tensor> state() const = 0;
  // Restores what state() returned; throws std::runtime_error naming a missing or misshapen entry.
  virtual void loadState(const std::map<std::string, torch::Tensor>& state) = 0;
  virtual std::int64_t steps() const = 0;
  const std::vector<NamedParam>& params() const { return params_; }

 protected:
  explicit ParamOptimizer(std::vector<NamedParam> params) : params_(std::move(params)) {}
  // The clipping scale clipGradNorm chose, for the next step() to apply; step() and zeroGrad() reset it.
  double takeGradScale() {
    const double s = gradScale_;
    gradScale_ = 1.0;
    return s;
  }
  std::vector<NamedParam> params_;
  double gradScale_ = 1.0;
};

struct AdamWSettings {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01;
};

struct SgdSettings {
  double momentum = 0.9, weightDecay = 0.0;
};

std::unique_ptr<ParamOptimizer> makeAdamW(std::vector<NamedParam> params, AdamWSettings s);
std::unique_ptr<ParamOptimizer> makeSgd(std::vector<NamedParam> params, SgdSettings s);

}  // namespace fts
