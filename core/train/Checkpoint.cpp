#include "core/train/Checkpoint.h"

#include "core/io/SafetensorsReader.h"
#include "core/io/SafetensorsWriter.h"
#include "core/io/TorchTensors.h"
#include "core/util/AtomicFile.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <random>

namespace fts {
namespace fs = std::filesystem;
namespace {

void writeTensors(const fs::path& file, const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  std::vector<TensorForWrite> keep;
  keep.reserve(tensors.size());
  std::vector<TensorView> views;
  for (const auto& [name, t] : tensors) {
    keep.push_back(prepareForWrite(name, t));
    views.push_back(keep.back().view);
  }
  writeSafetensors(file, views);
}

std::string stateToJson(const CheckpointState& s) {
  nlohmann::ordered_json j;
  j["format"] = "ftstudio-checkpoint";
  j["version"] = 2;
  j["step"] = s.step;
  j["epoch"] = s.epoch;
  j["tokens_seen"] = s.tokensSeen;
  j["wall_seconds"] = s.wallSeconds;
  j["data_position"] = nlohmann::json::parse(s.dataPosition.empty() ? "null" : s.dataPosition);
  j["best_metric_name"] = s.bestMetricName;
  j["best_metric"] = s.bestMetric;
  j["best_step"] = s.bestStep;
  j["evals_without_improvement"] = s.evalsWithoutImprovement;
  j["reason"] = s.reason;
  return j.dump(2) + "\n";
}

CheckpointState stateFromJson(const std::string& text, const fs::path& file) {
  try {
    const auto j = nlohmann::json::parse(text);
    if (j.value("format", "") != "ftstudio-checkpoint")
      throw std::runtime_error("not a Fine-tuning Studio checkpoint");
    const int version = j.value("version", 0);
    if (version != 1 && version != 2) throw std::runtime_error("checkpoint version " + std::to_string(version) + " is newer than this ftstudio");
    CheckpointState s;
    s.step = j.at("step");
    s.epoch = j.at("epoch");
    s.tokensSeen = j.at("tokens_seen");
    s.wallSeconds = j.at("wall_seconds");
    // Version 1 kept its own shuffler state, which the batcher does not read: such a checkpoint
    // loads for its weights (eval, predict, export), and a resume says it cannot continue exactly.
    if (version >= 2 && !j.at("data_position").is_null()) s.dataPosition = j.at("data_position").dump();
    s.bestMetricName = j.at("best_metric_name");
    s.bestMetric = j.at("best_metric");
    s.bestStep = j.at("best_step");
    s.evalsWithoutImprovement = j.at("evals_without_improvement");
    s.reason = j.value("reason", "");
    return s;
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
}

// Replaces `target` by `staged` with two renames; the old folder is removed afterwards.
void swapInFolder(const fs::path& staged, const fs::path& target) {
  std::error_code ec;
  const fs::path old = target.string() + ".old";
  fs::remove_all(old, ec);
  if (fs::exists(target)) fs::rename(target, old);
  fs::rename(staged, target);
  fs::remove_all(old, ec);
}

}  // namespace

fs::path stepCheckpointDir(const fs::path& runDir, std::int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step-%08lld", static_cast<long long>(step));
  return runDir / "checkpoints" / name;
}

fs::path bestCheckpointDir(const fs::path& runDir) { return runDir / "checkpoints" / "best"; }

void saveCheckpoint(const fs::path& dir, torch::nn::Module& model, const ParamOptimizer* optimizer, const CheckpointState& state) {
  fs::create_directories(dir.parent_path());
  const fs::path staged = dir.string() + ".partial";
  std::error_code ec;
  fs::remove_all(staged, ec);
  fs::create_directories(staged);

  std::vector<std::pair<std::string, torch::Tensor>> weights;
  for (const auto& p : model.named_parameters()) weights.emplace_back(p.key(), p.value());
  writeTensors(staged / "model.safetensors", weights);
  if (optimizer) {
    std::vector<std::pair<std::string, torch::Tensor>> opt;
    for (const auto& [k, v] : optimizer->state()) opt.emplace_back(k, v);
    writeTensors(staged / "optimizer.safetensors", opt);
  }
  // Dropout masks come from LibTorch's default generator: its state makes a resumed run draw the same.
  writeTensors(staged / "rng.safetensors", {{"torch_cpu_generator", at::detail::getDefaultCPUGenerator().get_state()}});
  writeFileAtomically(staged / "trainer_state.json", stateToJson(state));
  swapInFolder(staged, dir);
}

CheckpointState loadCheckpoint(const fs::path& dir, torch::nn::Module& model, ParamOptimizer* optimizer) {
  if (!fs::exists(dir / "trainer_state.json"))
    throw std::runtime_error(dir.string() + ": not a checkpoint (no trainer_state.json)");
  CheckpointState state = stateFromJson(readWholeFile(dir / "trainer_state.json"), dir / "trainer_state.json");
  {
    SafetensorsReader weights(dir / "model.safetensors");
    torch::NoGradGuard noGrad;
    for (auto& p : model.named_parameters()) {
      if (!weights.contains(p.key()))
        throw std::runtime_error((dir / "model.safetensors").string() + ": no tensor '" + p.key() + "' for this model");
      auto t = tensorFromView(weights.view(p.key()));
      if (t.sizes() != p.value().sizes())
        throw std::runtime_error((dir / "model.safetensors").string() + ": tensor '" + p.key() + "' has another shape than the model's");
      p.value().copy_(t);
    }
  }
  if (optimizer) {
    const fs::path file = dir / "optimizer.safetensors";
    if (!fs::exists(file)) throw std::runtime_error(dir.string() + ": this checkpoint holds no optimizer state (a best-weights snapshot?)");
    SafetensorsReader reader(file);
    std::map<std::string, torch::Tensor> st;
    for (const auto& e : reader.entries()) st[e.name] = tensorFromView(reader.view(e));
    try {
      optimizer->loadState(st);
    } catch (const std::exception& e) {
      throw std::runtime_error(file.string() + ": " + e.what());
    }
  }
  if (fs::exists(dir / "rng.safetensors")) {
    SafetensorsReader rng(dir / "rng.safetensors");
    auto generator = at::detail::getDefaultCPUGenerator();  // a handle; setting its state sets the global one
    generator.set_state(tensorFromView(rng.view("torch_cpu_generator")));
  }
  return state;
}

std::vector<fs::path> stepCheckpoints(const fs::path& runDir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(runDir / "checkpoints", ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind("step-", 0) == 0 && name.find('.') == std::string::npos &&
        fs::exists(entry.path() / "trainer_state.json"))
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());  // zero-padded step numbers sort in step order
  return out;
}

std::optional<fs::path> latestCheckpoint(const fs::path& runDir) {
  auto all = stepCheckpoints(runDir);
  if (all.empty()) return std::nullopt;
  return all.back();
}

void pruneCheckpoints(const fs::path& runDir, int keep) {
  auto all = stepCheckpoints(runDir);
  std::error_code ec;
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < all.size(); ++i) fs::remove_all(all[i], ec);
}

}  // namespace fts
