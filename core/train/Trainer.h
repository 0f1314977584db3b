#pragma once
// Runs one training job on its own thread and reports through an EventQueue. Never touches Qt.
// Stop and pause are atomics the loop checks between steps (a step here takes well under a second).
#include "core/train/EventQueue.h"
#include "core/train/TrainConfig.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace fts {

struct TrainSummary {
  std::string runId;
  std::filesystem::path runDir;
  std::string task;                          // "cls" or "lm"
  TrainerState state = TrainerState::Idle;
  std::string reason;                        // why it stopped or failed
  std::int64_t steps = 0;
  std::int64_t tokens = 0;
  double seconds = 0;
  std::map<std::string, double> metrics;     // final: accuracy, macro_f1, val_loss, perplexity, ...
};

// Where a run lives: its id, its folder, and the studio home whose run store records it (empty:
// no store, events are only queued — tests and benchmarks).
struct RunContext {
  std::string runId;
  std::filesystem::path runDir;
  std::filesystem::path storeHome;
  bool resume = false;  // continue from the run folder's newest checkpoint instead of starting
};

// Shared between the trainer thread and whoever controls it.
struct TrainerControl {
  std::atomic<bool> stop{false};
  std::atomic<bool> pause{false};
};

class Trainer {
 public:
  Trainer(TrainConfig config, RunContext run);
  ~Trainer();  // requests a stop and joins
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  void start();               // spawns the training thread
  void requestStop();         // the loop ends after the current step
  void setPaused(bool paused);
  bool isRunning() const { return running_.load(); }
  void join();

  EventQueue& events() { return events_; }
  TrainSummary summary() const;  // complete once the thread has finished

 private:
  TrainConfig config_;
  RunContext run_;
  EventQueue events_;
  TrainerControl control_;
  std::atomic<bool> running_{false};
  std::thread thread_;
  mutable std::mutex summaryMutex_;
  TrainSummary summary_;
};

// The training job itself, run on the calling thread (the Trainer runs it on its own).
TrainSummary runTrainingJob(const TrainConfig& config, const RunContext& run, TrainerControl& control, EventQueue& events);

}  // namespace fts
