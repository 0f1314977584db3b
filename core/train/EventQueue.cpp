#include "core/train/EventQueue.h"

#include <chrono>

namespace fts {

const char* toString(TrainerState s) {
  switch (s) {
    case TrainerState::Idle: return "idle";
    case TrainerState::Preparing: return "preparing";
    case TrainerState::Running: return "running";
    case TrainerState::Paused: return "paused";
    case TrainerState::Finished: return "finished";
    case TrainerState::Stopped: return "stopped";
    case TrainerState::Failed: return "failed";
  }
  return "unknown";
}

void EventQueue::push(TrainerEvent e) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(e));
  }
  cv_.notify_one();
}

std::vector<TrainerEvent> EventQueue::drain() {
  std::lock_guard lock(mutex_);
  std::vector<TrainerEvent> out;
  out.swap(events_);
  return out;
}

std::vector<TrainerEvent> EventQueue::waitAndDrain(int timeoutMs) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return !events_.empty(); });
  std::vector<TrainerEvent> out;
  out.swap(events_);
  return out;
}

}  // namespace fts
