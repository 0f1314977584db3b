#pragma once
// A baseline run (model.type majority or bow): the same data, split, events, run store and reports
// as a network run, so the two compare side by side. Torch-free.
#include "core/train/Trainer.h"

namespace fts {

// True when the config asks for a baseline instead of a network.
bool isBaselineRun(const TrainConfig& config);

TrainSummary runBaselineJob(const TrainConfig& config, const RunContext& run, TrainerControl& control, EventQueue& queue);

}  // namespace fts
