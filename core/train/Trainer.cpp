#include "core/train/Trainer.h"

namespace fts {

Trainer::Trainer(TrainConfig config, std::filesystem::path runDir, std::string runId)
    : config_(std::move(config)), runDir_(std::move(runDir)), runId_(std::move(runId)) {}

Trainer::~Trainer() {
  requestStop();
  join();
}

void Trainer::start() {
  if (thread_.joinable()) return;
  running_ = true;
  thread_ = std::thread([this] {
    TrainSummary s = runTrainingJob(config_, runDir_, runId_, control_, events_);
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
