#include "core/model/BertLora.h"

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <stdexcept>

namespace fts {

std::vector<std::string> bertLoraRoles(const std::vector<std::string>& targets) {
  static const std::map<std::string, std::string> roleOf = {
      {"q", "q"},   {"k", "k"},   {"v", "v"},   {"o", "o"},   {"up", "up"},   {"down", "down"},
      {"query", "q"}, {"key", "k"}, {"value", "v"},
      {"attention.output", "o"}, {"attention.output.dense", "o"},
      {"intermediate", "up"},    {"intermediate.dense", "up"},
      {"output", "down"},        {"output.dense", "down"}};
  std::vector<std::string> roles;
  for (const auto& t : targets) {
    auto it = roleOf.find(t);
    if (it == roleOf.end())
      throw std::invalid_argument("model.lora_targets: BERT has no module '" + t +
                                  "' (choose among q, k, v, o, up, down, or query, key, value, attention.output, "
                                  "intermediate, output)" + (t == "gate" ? ": its feed-forward has no gate" : ""));
    roles.push_back(it->second);
  }
  return roles;
}

torch::nn::Linear& bertLoraTarget(BertLayerImpl& layer, const std::string& role) {
  if (role == "q") return layer.attention->self->query;
  if (role == "k") return layer.attention->self->key;
  if (role == "v") return layer.attention->self->value;
  if (role == "o") return layer.attention->output->dense;
  if (role == "up") return layer.intermediate->dense;
  if (role == "down") return layer.output->dense;
  throw std::invalid_argument("BERT LoRA: unknown role '" + role + "' (q, k, v, o, up, down)");
}

namespace {

// The shared part: adapters on every layer of `bert`, everything frozen except `trainable`.
void attach(torch::nn::Module& whole, BertModelImpl& bert, const std::vector<torch::Tensor>& trainable, const LoraConfig& config,
            uint64_t seed) {
  if (bert.lora) throw std::logic_error("LoRA adapters are already attached");
  const auto roles = bertLoraRoles(config.targets);
  if (config.rank < 1) throw std::invalid_argument("model.lora_rank must be at least 1");
  if (config.alpha <= 0) throw std::invalid_argument("model.lora_alpha must be positive");
  if (config.dropout < 0 || config.dropout >= 1) throw std::invalid_argument("model.lora_dropout must be in [0, 1)");
  auto state = std::make_shared<LoraState>();
  state->config = config;
  state->config.targets = roles;
  state->scale = config.alpha / config.rank;
  auto gen = at::detail::createCPUGenerator(seed);
  torch::NoGradGuard noGrad;
  for (auto& p : whole.parameters()) p.set_requires_grad(false);
  for (size_t i = 0; i < bert.layerCount(); ++i) {
    BertLayerImpl& layer = bert.layerAt(i);
    for (const auto& role : roles) {
      torch::nn::Linear& proj = bertLoraTarget(layer, role);
      if (state->adapters.count(proj.get())) continue;  // named twice (e.g. "q" and "query")
      const int64_t in = proj->weight.size(1), out = proj->weight.size(0);
      LoraState::Pair pair;
      pair.A = torch::nn::Linear(torch::nn::LinearOptions(in, config.rank).bias(false));
      pair.B = torch::nn::Linear(torch::nn::LinearOptions(config.rank, out).bias(false));
      // PEFT's start: A ~ kaiming-uniform(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), B = 0.
      const double bound = 1.0 / std::sqrt(static_cast<double>(in));
      pair.A->weight.uniform_(-bound, bound, gen);
      pair.B->weight.zero_();
      proj->register_module("lora_A", pair.A);
      proj->register_module("lora_B", pair.B);
      state->adapters[proj.get()] = pair;
    }
    layer.attention->self->lora = state.get();
    layer.attention->output->lora = state.get();
    layer.intermediate->lora = state.get();
    layer.output->lora = state.get();
  }
  for (auto t : trainable) t.set_requires_grad(true);
  bert.lora = state;
}

void fold(BertModelImpl& bert, double sign) {
  if (!bert.lora) throw std::logic_error("the model has no LoRA adapters");
  torch::NoGradGuard noGrad;
  for (auto& [impl, pair] : bert.lora->adapters) {
    auto* linear = const_cast<torch::nn::LinearImpl*>(impl);
    linear->weight.add_(torch::matmul(pair.B->weight, pair.A->weight), sign * bert.lora->scale);
  }
}

}  // namespace

void attachBertLora(BertForSequenceClassification& model, const LoraConfig& config, uint64_t seed) {
  attach(*model, *model->bert, model->classifier->parameters(), config, seed);
}

void attachBertLora(BertForMaskedLM& model, const LoraConfig& config, uint64_t seed) {
  attach(*model, *model->bert, {}, config, seed);
}

bool hasBertLora(BertModelImpl& bert) { return bert.lora != nullptr; }

void mergeBertLora(BertModelImpl& bert) {
  if (bert.lora && bert.lora->merged) return;
  fold(bert, +1.0);
  bert.lora->merged = true;
}

void unmergeBertLora(BertModelImpl& bert) {
  if (!bert.lora || !bert.lora->merged) return;
  fold(bert, -1.0);
  bert.lora->merged = false;
}

}  // namespace fts
