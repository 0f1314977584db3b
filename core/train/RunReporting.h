#pragma once
// What every kind of run tells the world the same way: log lines, full evaluation reports, the run
// store (opened safely), and the final metrics written to metrics.json and the store. Torch-free.
#include "core/eval/ClassificationMetrics.h"
#include "core/runs/RunRecorder.h"
#include "core/train/Trainer.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fts {

void logLine(RunRecorder& events, const std::string& message, LogEvent::Level level = LogEvent::Level::Info);

EvalReportEvent makeEvalReportEvent(const std::string& split, std::int64_t step, double epoch, const std::vector<std::string>& labels,
                                    const ClassificationReport& report);

// The store under `home`, or null (with a warning queued) when it cannot be opened: training goes
// on and its files stay in the run folder. An empty home means no store (tests, benchmarks).
std::unique_ptr<RunStore> openRunStore(const std::filesystem::path& home, EventQueue& queue);

// metrics.json in the run folder (atomically) and the store's final metrics.
void recordFinalMetrics(RunRecorder& events, const RunContext& run, const TrainSummary& summary);

}  // namespace fts
