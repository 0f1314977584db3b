#pragma once
// Internal to core/: includes torch. What a run will cost, said before it starts: memory (weights,
// gradients, optimizer moments, activations) against what is free, with a warning when it will not
// fit. The time per epoch follows from the first timed steps (the training loop says it).
#include "core/model/TaskModel.h"
#include "core/runs/RunRecorder.h"
#include "core/train/Optimizers.h"
#include "core/train/TrainConfig.h"

#include <string>
#include <vector>

namespace fts {

struct MemoryEstimate {
  double gib = 0;           // estimated peak of the run
  double availableGib = 0;  // free memory now
  bool fits() const { return gib <= 0.8 * availableGib; }
};

// meanTokens: the mean length of a training sequence (padding makes batches run longer than it).
MemoryEstimate estimateMemory(TaskModel& model, const std::vector<NamedParam>& trainable, const TrainConfig& cfg, double meanTokens);
// Logs the estimate, and a warning with what to change when it will not fit.
void reportMemory(const MemoryEstimate& estimate, RunRecorder& events);

// "42 s", "3.5 min", "1.2 h"
std::string formatSeconds(double seconds);

}  // namespace fts
