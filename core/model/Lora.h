#pragma once
// Internal to core/: includes torch. LoRA (Hu et al. 2021): a frozen projection W gets a trainable
// low-rank update, y = x W^T + (alpha / r) * B(A(dropout(x))), with A [r, in] and B [out, r].
// The adapters hang under their projection with PEFT's names ("...q_proj.lora_A.weight",
// "...q_proj.lora_B.weight"), so an adapter export is a faithful write.
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace fts {

class LlamaForTask;

struct LoraConfig {
  int rank = 8;
  double alpha = 16;
  double dropout = 0.05;
  // Among q, k, v, o, gate, up, down.
  std::vector<std::string> targets = {"q", "v"};
  // Throws std::invalid_argument naming what is wrong.
  void validate() const;
  static std::vector<std::string> parseTargets(const std::string& commaSeparated);
};

// Shared by every adapted projection of one model.
struct LoraState {
  LoraConfig config;
  double scale = 0;     // alpha / rank
  bool merged = false;  // the updates are folded into the base weights (adapters unused)
  struct Pair {
    torch::nn::Linear A{nullptr}, B{nullptr};
  };
  std::map<const torch::nn::LinearImpl*, Pair> adapters;

  const Pair* find(const torch::nn::Linear& projection) const;
};

// The weight a projection uses now: W, or W + scale * B A when an unmerged adapter is attached.
// Gradients flow to A and B through it. [out, in]
torch::Tensor effectiveWeight(const torch::nn::Linear& projection, const LoraState* lora);
// The projection of x [.., in] -> [.., out], with the adapter's dropout on its input while training.
torch::Tensor loraProject(const torch::nn::Linear& projection, const LoraState* lora, const torch::Tensor& x, bool training);
// Only the adapter's share of the output (used when the base product is fused with others). [.., out]
torch::Tensor loraDelta(const torch::nn::Linear& projection, const LoraState* lora, const torch::Tensor& x, bool training);

// True when adapters are attached, unmerged and use dropout on their input.
bool loraHasDropout(const LoraState* lora);
// The adapters' output updates of projections whose products were fused into one [.., sum(out)]
// tensor `like`: each projection's delta, or zeros where it has no adapter, concatenated on the last dim.
torch::Tensor concatDeltas(std::initializer_list<const torch::nn::Linear*> projections, const LoraState* lora,
                           const torch::Tensor& x, const torch::Tensor& like);

// Attaches adapters to the target projections of every layer, freezes everything else except the
// classification head (trained with the adapters, as PEFT's modules_to_save). B starts at zero, so
// the model's outputs are unchanged until it trains.
void attachLora(LlamaForTask& model, const LoraConfig& config, uint64_t seed);
bool hasLora(LlamaForTask& model);
// Folds the updates into the base weights (W += scale * B A) / takes them out again.
void mergeLora(LlamaForTask& model);
void unmergeLora(LlamaForTask& model);

}  // namespace fts
