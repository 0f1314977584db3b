#pragma once
// Sits between the trainer and its EventQueue: forwards every event and records it in the run
// store, metrics in batches (one transaction a second, not one per step).
#include "core/runs/RunStore.h"
#include "core/train/EventQueue.h"

#include <memory>
#include <string>
#include <vector>

namespace fts {

class RunRecorder {
 public:
  // store may be null: events are then only forwarded (tests, benchmarks).
  RunRecorder(std::unique_ptr<RunStore> store, std::string runId, EventQueue& queue);
  ~RunRecorder();

  void push(TrainerEvent e);
  void flush();  // writes buffered metrics now
  RunStore* store() const { return store_.get(); }
  const std::string& runId() const { return runId_; }

 private:
  void recordSafely(const TrainerEvent& e);
  std::unique_ptr<RunStore> store_;
  std::string runId_;
  EventQueue& queue_;
  std::vector<MetricRow> pending_;
  double lastFlush_ = 0;
  bool storeFailed_ = false;
};

}  // namespace fts
