#include "core/train/Optimizers.h"

#include "core/model/FusedOps.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fts {

void ParamOptimizer::zeroGrad() {
  gradScale_ = 1.0;
  for (auto& p : params_) {
    auto& g = p.tensor.mutable_grad();
    if (g.defined()) g = torch::Tensor();  // set_to_none: no memset, and the next backward allocates
  }
}

double ParamOptimizer::clipGradNorm(double maxNorm) {
  std::vector<torch::Tensor> grads;
  for (const auto& p : params_)
    if (p.tensor.grad().defined()) grads.push_back(p.tensor.grad());
  if (grads.empty()) return 0.0;
  const double norm = std::sqrt(sumOfSquares(grads));  // NaN or inf stay so: the caller checks
  // torch: clamp(maxNorm / (norm + 1e-6), max = 1); std::min keeps a NaN coefficient NaN as clamp does.
  gradScale_ = std::min(maxNorm / (norm + 1e-6), 1.0);
  return norm;
}

namespace {

torch::Tensor requireState(const std::map<std::string, torch::Tensor>& state, const std::string& key, const torch::Tensor& like) {
  auto it = state.find(key);
  if (it == state.end()) throw std::runtime_error("optimizer state has no '" + key + "'");
  if (it->second.sizes() != like.sizes())
    throw std::runtime_error("optimizer state '" + key + "' has the wrong shape for its parameter");
  return it->second.to(like.options()).clone();
}

// Whether the fused CPU update applies: float32, contiguous, on the CPU, of one shape (a parameter
// moved to another device or dtype, or a strided gradient, takes the tensor-op path).
bool fusable(const torch::Tensor& p, const torch::Tensor& g, const torch::Tensor& m, const torch::Tensor& v) {
  if (!fusedOpsEnabled()) return false;
  for (const auto* t : {&p, &g, &m, &v})
    if (!t->device().is_cpu() || t->scalar_type() != torch::kFloat32 || !t->is_contiguous() || t->sizes() != p.sizes())
      return false;
  return true;
}

// AdamW (Loshchilov & Hutter): decoupled weight decay, bias-corrected moments.
class AdamW final : public ParamOptimizer {
 public:
  AdamW(std::vector<NamedParam> params, AdamWSettings s) : ParamOptimizer(std::move(params)), s_(s) {
    for (auto& p : params_) {
      m_.push_back(torch::zeros_like(p.tensor));
      v_.push_back(torch::zeros_like(p.tensor));
    }
  }

  void step(double lr) override {
    torch::NoGradGuard noGrad;
    ++t_;
    const double gradScale = takeGradScale();
    const double bc1 = 1.0 - std::pow(s_.beta1, static_cast<double>(t_));
    const double bc2 = 1.0 - std::pow(s_.beta2, static_cast<double>(t_));
    for (size_t i = 0; i < params_.size(); ++i) {
      auto& p = params_[i];
      const auto& g0 = p.tensor.grad();
      if (!g0.defined()) continue;  // frozen or unused this step
      const double plr = lr * p.lrScale;
      const double decay = p.decay ? s_.weightDecay : 0.0;
      if (fusable(p.tensor, g0, m_[i], v_[i])) {
        // One pass over p, g, m and v instead of nine tensor-op passes (and a temporary).
        fusedAdamWUpdate(p.tensor, g0, m_[i], v_[i], plr, s_.beta1, s_.beta2, s_.eps, decay, t_, gradScale);
        continue;
      }
      const torch::Tensor g = gradScale != 1.0 ? g0 * gradScale : g0;
      if (decay > 0) p.tensor.mul_(1.0 - plr * decay);
      m_[i].mul_(s_.beta1).add_(g, 1.0 - s_.beta1);
      v_[i].mul_(s_.beta2).addcmul_(g, g, 1.0 - s_.beta2);
      auto denom = (v_[i] / bc2).sqrt_().add_(s_.eps);
      p.tensor.addcdiv_(m_[i], denom, -plr / bc1);
    }
  }

  std::map<std::string, torch::Tensor> state() const override {
    std::map<std::string, torch::Tensor> out;
    for (size_t i = 0; i < params_.size(); ++i) {
      out["exp_avg/" + params_[i].name] = m_[i];
      out["exp_avg_sq/" + params_[i].name] = v_[i];
    }
    out["step"] = torch::tensor({t_}, torch::kInt64);
    return out;
  }

  void loadState(const std::map<std::string, torch::Tensor>& state) override {
    auto it = state.find("step");
    if (it == state.end()) throw std::runtime_error("optimizer state has no 'step'");
    for (size_t i = 0; i < params_.size(); ++i) {
      m_[i] = requireState(state, "exp_avg/" + params_[i].name, params_[i].tensor);
      v_[i] = requireState(state, "exp_avg_sq/" + params_[i].name, params_[i].tensor);
    }
    t_ = it->second.item<std::int64_t>();
  }

  std::int64_t steps() const override { return t_; }

 private:
  AdamWSettings s_;
  std::vector<torch::Tensor> m_, v_;
  std::int64_t t_ = 0;
};

// SGD with (heavy-ball) momentum and L2 weight decay on the parameters that take decay.
class Sgd final : public ParamOptimizer {
 public:
  Sgd(std::vector<NamedParam> params, SgdSettings s) : ParamOptimizer(std::move(params)), s_(s) {
    for (auto& p : params_) buf_.push_back(torch::zeros_like(p.tensor));
  }

  void step(double lr) override {
    torch::NoGradGuard noGrad;
    ++t_;
    const double gradScale = takeGradScale();
    for (size_t i = 0; i < params_.size(); ++i) {
      auto& p = params_[i];
      auto g = p.tensor.grad();
      if (!g.defined()) continue;
      if (gradScale != 1.0) g = g * gradScale;
      if (p.decay && s_.weightDecay > 0) g = g.add(p.tensor, s_.weightDecay);
      if (s_.momentum > 0) {
        buf_[i].mul_(s_.momentum).add_(g);
        g = buf_[i];
      }
      p.tensor.add_(g, -lr * p.lrScale);
    }
  }

  std::map<std::string, torch::Tensor> state() const override {
    std::map<std::string, torch::Tensor> out;
    for (size_t i = 0; i < params_.size(); ++i) out["momentum/" + params_[i].name] = buf_[i];
    out["step"] = torch::tensor({t_}, torch::kInt64);
    return out;
  }

  void loadState(const std::map<std::string, torch::Tensor>& state) override {
    auto it = state.find("step");
    if (it == state.end()) throw std::runtime_error("optimizer state has no 'step'");
    for (size_t i = 0; i < params_.size(); ++i) buf_[i] = requireState(state, "momentum/" + params_[i].name, params_[i].tensor);
    t_ = it->second.item<std::int64_t>();
  }

  std::int64_t steps() const override { return t_; }

 private:
  SgdSettings s_;
  std::vector<torch::Tensor> buf_;
  std::int64_t t_ = 0;
};

}  // namespace

std::unique_ptr<ParamOptimizer> makeAdamW(std::vector<NamedParam> params, AdamWSettings s) {
  return std::make_unique<AdamW>(std::move(params), s);
}

std::unique_ptr<ParamOptimizer> makeSgd(std::vector<NamedParam> params, SgdSettings s) {
  return std::make_unique<Sgd>(std::move(params), s);
}

}  // namespace fts
