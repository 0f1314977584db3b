#pragma once
// Internal to core/: includes torch (through the model and optimizer headers).
// A checkpoint is a folder: model.safetensors (trainable and frozen weights), optimizer.safetensors
// (moments, step), rng.safetensors (LibTorch's generator state), trainer_state.json (step, data
// position, shuffler state, early-stopping bookkeeping). Written under a temporary name and renamed,
// so a crash never leaves a half checkpoint under a real name. No pickle, nothing executable.
#include "core/model/LlamaModules.h"
#include "core/train/Optimizers.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fts {

struct CheckpointState {
  std::int64_t step = 0;            // optimizer steps done
  std::int64_t epoch = 0;           // index of the epoch in progress (for people; dataPosition is exact)
  std::int64_t tokensSeen = 0;
  double wallSeconds = 0;           // training time before this checkpoint (resumes add to it)
  std::string dataPosition;         // the batcher's position (core/data/Batcher.h BatchPosition as JSON)
  std::string bestMetricName;
  double bestMetric = 0;
  std::int64_t bestStep = -1;
  int evalsWithoutImprovement = 0;
  std::string reason;               // why it was written: "every", "stop", "end", "best"
};

// Writes the checkpoint folder `dir` (replacing one of that name). Throws std::runtime_error.
// Any model kind: its parameters by name (TaskModel::module()).
void saveCheckpoint(const std::filesystem::path& dir, torch::nn::Module& model, const ParamOptimizer* optimizer,
                    const CheckpointState& state);
inline void saveCheckpoint(const std::filesystem::path& dir, LlamaForTask& model, const ParamOptimizer* optimizer,
                           const CheckpointState& state) {
  saveCheckpoint(dir, *model, optimizer, state);
}

// Restores weights (and optimizer and RNG when given/present) and returns the trainer state.
CheckpointState loadCheckpoint(const std::filesystem::path& dir, torch::nn::Module& model, ParamOptimizer* optimizer);
inline CheckpointState loadCheckpoint(const std::filesystem::path& dir, LlamaForTask& model, ParamOptimizer* optimizer) {
  return loadCheckpoint(dir, *model, optimizer);
}

// runDir/checkpoints/step-NNNNNNNN folders, oldest first.
std::vector<std::filesystem::path> stepCheckpoints(const std::filesystem::path& runDir);
std::optional<std::filesystem::path> latestCheckpoint(const std::filesystem::path& runDir);
// Removes all but the newest `keep` step checkpoints (the best one lives apart and stays).
void pruneCheckpoints(const std::filesystem::path& runDir, int keep);

std::filesystem::path stepCheckpointDir(const std::filesystem::path& runDir, std::int64_t step);
std::filesystem::path bestCheckpointDir(const std::filesystem::path& runDir);

}  // namespace fts
