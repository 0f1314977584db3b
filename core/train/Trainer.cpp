#include "core/train/Trainer.h"

namespace fts {

Trainer::Trainer(TrainConfig config, RunContext run) : config_(std::move(config)), run_(std::move(run)) {}

Trainer::~Trainer() {
  requestStop();
  join();
}

void Trainer::start() {
  if (thread_.joinable()) return;
  running_ = true;
  thread_ = std::thread([this] {
    TrainSummary s = runTrainingJob(config_, run_, control_, events_);
    {
      std::lock_guard lock(summaryMutex_);
      summary_ = std::move(s);
    }
    running_ = false;
  });
}

void Trainer::requestStop() { control_.stop = true; }
void Trainer::setPaused(bool paused) { control_.pause = paused; }

void Trainer::join() {
  if (thread_.joinable()) thread_.join();
}

TrainSummary Trainer::summary() const {
  std::lock_guard lock(summaryMutex_);
  return summary_;
}

}  // namespace fts
