#pragma once
// Sits between the trainer and its EventQueue: forwards every event and records it in the run
// store, metrics in batches (one transaction a second, not one per step). Evaluation reports go to
// the run folder as eval_report.json (see EvalReport.h).
#include "core/runs/RunStore.h"
#include "core/train/EventQueue.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fts {

class RunRecorder {
 public:
  // store may be null: events are then only forwarded (tests, benchmarks). runDir is where
  // eval_report.json goes; empty: the run's folder as the store knows it (none without a store).
  RunRecorder(std::unique_ptr<RunStore> store, std::string runId, EventQueue& queue, std::filesystem::path runDir = {});
  ~RunRecorder();

  void push(TrainerEvent e);
  void flush();  // writes buffered metrics now
  RunStore* store() const { return store_.get(); }
  const std::string& runId() const { return runId_; }

 private:
  void recordSafely(const TrainerEvent& e);
  void recordEvalReport(const EvalReportEvent& r);
  std::unique_ptr<RunStore> store_;
  std::string runId_;
  std::filesystem::path runDir_;
  bool reportFailed_ = false;
  EventQueue& queue_;
  std::vector<MetricRow> pending_;
  double lastFlush_ = 0;
  bool storeFailed_ = false;
};

}  // namespace fts
