#include "core/model/Lora.h"

#include "core/model/LlamaModules.h"

#include <torch/torch.h>

#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

namespace fts {
namespace F = torch::nn::functional;

void LoraConfig::validate() const {
  if (rank < 1) throw std::invalid_argument("model.lora_rank must be at least 1");
  if (alpha <= 0) throw std::invalid_argument("model.lora_alpha must be positive");
  if (dropout < 0 || dropout >= 1) throw std::invalid_argument("model.lora_dropout must be in [0, 1)");
  if (targets.empty()) throw std::invalid_argument("model.lora_targets is empty: name some of q, k, v, o, gate, up, down");
  static const std::set<std::string> known = {"q", "k", "v", "o", "gate", "up", "down"};
  for (const auto& t : targets)
    if (!known.count(t)) throw std::invalid_argument("model.lora_targets: unknown module '" + t + "' (choose among q, k, v, o, gate, up, down)");
}

std::vector<std::string> LoraConfig::parseTargets(const std::string& commaSeparated) {
  std::vector<std::string> out;
  std::stringstream ss(commaSeparated);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
    if (b == std::string::npos) continue;
    std::string t = item.substr(b, e - b + 1);
    // Accept PEFT's spelling too ("q_proj", "gate_proj").
    if (t.size() > 5 && t.substr(t.size() - 5) == "_proj") t.resize(t.size() - 5);
    out.push_back(t);
  }
  return out;
}

const LoraState::Pair* LoraState::find(const torch::nn::Linear& projection) const {
  auto it = adapters.find(projection.get());
  return it == adapters.end() ? nullptr : &it->second;
}

torch::Tensor effectiveWeight(const torch::nn::Linear& projection, const LoraState* lora) {
  const LoraState::Pair* pair = lora && !lora->merged ? lora->find(projection) : nullptr;
  if (!pair) return projection->weight;
  return projection->weight + lora->scale * torch::matmul(pair->B->weight, pair->A->weight);  // [out,r] x [r,in]
}

torch::Tensor loraDelta(const torch::nn::Linear& projection, const LoraState* lora, const torch::Tensor& x, bool training) {
  const LoraState::Pair* pair = lora && !lora->merged ? lora->find(projection) : nullptr;
  if (!pair) return {};
  auto h = x;
  if (training && lora->config.dropout > 0) h = F::dropout(h, F::DropoutFuncOptions().p(lora->config.dropout).training(true));
  return torch::linear(torch::linear(h, pair->A->weight), pair->B->weight) * lora->scale;  // [.., in] -> [.., r] -> [.., out]
}

torch::Tensor loraProject(const torch::nn::Linear& projection, const LoraState* lora, const torch::Tensor& x, bool training) {
  auto y = torch::linear(x, projection->weight, projection->bias);
  auto delta = loraDelta(projection, lora, x, training);
  return delta.defined() ? y + delta : y;
}

bool loraHasDropout(const LoraState* lora) { return lora && !lora->merged && lora->config.dropout > 0; }

torch::Tensor concatDeltas(std::initializer_list<const torch::nn::Linear*> projections, const LoraState* lora,
                           const torch::Tensor& x, const torch::Tensor& like) {
  std::vector<torch::Tensor> parts;
  for (const auto* p : projections) {
    auto d = loraDelta(*p, lora, x, /*training=*/true);
    if (!d.defined()) {
      auto shape = like.sizes().vec();
      shape.back() = (*p)->weight.size(0);
      d = torch::zeros(shape, like.options());
    }
    parts.push_back(d);
  }
  return torch::cat(parts, -1);
}

namespace {

torch::nn::Linear* targetProjection(LlamaDecoderLayerImpl& layer, const std::string& t) {
  auto& a = *layer.self_attn;
  auto& m = *layer.mlp;
  if (t == "q") return &a.q_proj;
  if (t == "k") return &a.k_proj;
  if (t == "v") return &a.v_proj;
  if (t == "o") return &a.o_proj;
  if (t == "gate") return &m.gate_proj;
  if (t == "up") return &m.up_proj;
  if (t == "down") return &m.down_proj;
  return nullptr;
}

void foldAll(LlamaForTask& model, double sign) {
  auto lora = model->model->lora;
  if (!lora) throw std::logic_error("the model has no LoRA adapters");
  torch::NoGradGuard noGrad;
  for (auto& [impl, pair] : lora->adapters) {
    auto* linear = const_cast<torch::nn::LinearImpl*>(impl);
    linear->weight.add_(torch::matmul(pair.B->weight, pair.A->weight), sign * lora->scale);
  }
}

}  // namespace

void attachLora(LlamaForTask& model, const LoraConfig& config, uint64_t seed) {
  config.validate();
  if (model->model->lora) throw std::logic_error("LoRA adapters are already attached");
  auto state = std::make_shared<LoraState>();
  state->config = config;
  state->scale = config.alpha / config.rank;
  auto gen = at::detail::createCPUGenerator(seed);
  torch::NoGradGuard noGrad;
  for (auto& p : model->parameters()) p.set_requires_grad(false);
  for (const auto& child : *model->model->layers) {
    auto* layer = child->as<LlamaDecoderLayer>();
    for (const auto& t : config.targets) {
      torch::nn::Linear* proj = targetProjection(*layer, t);
      const int64_t in = (*proj)->weight.size(1), out = (*proj)->weight.size(0);
      LoraState::Pair pair;
      pair.A = torch::nn::Linear(torch::nn::LinearOptions(in, config.rank).bias(false));
      pair.B = torch::nn::Linear(torch::nn::LinearOptions(config.rank, out).bias(false));
      // PEFT's start: A ~ kaiming-uniform(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), B = 0.
      const double bound = 1.0 / std::sqrt(static_cast<double>(in));
      pair.A->weight.uniform_(-bound, bound, gen);
      pair.B->weight.zero_();
      (*proj)->register_module("lora_A", pair.A);
      (*proj)->register_module("lora_B", pair.B);
      state->adapters[proj->get()] = pair;
    }
    layer->self_attn->lora = state.get();
    layer->mlp->lora = state.get();
  }
  // The classifier's head is new for the task: it trains with the adapters.
  if (model->score) model->score->weight.set_requires_grad(true);
  model->model->lora = state;
}

bool hasLora(LlamaForTask& model) { return model->model->lora != nullptr; }

void mergeLora(LlamaForTask& model) {
  if (model->model->lora && model->model->lora->merged) return;
  foldAll(model, +1.0);
  model->model->lora->merged = true;
}

void unmergeLora(LlamaForTask& model) {
  if (!model->model->lora || !model->model->lora->merged) return;
  foldAll(model, -1.0);
  model->model->lora->merged = false;
}

}  // namespace fts
