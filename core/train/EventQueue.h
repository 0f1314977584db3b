#pragma once
// A thread-safe queue of trainer events: the trainer pushes, the GUI or CLI drains in batches.
#include "core/train/TrainerEvents.h"

#include <condition_variable>
#include <mutex>
#include <vector>

namespace fts {

class EventQueue {
 public:
  void push(TrainerEvent e);
  // Everything queued so far, oldest first; never blocks.
  std::vector<TrainerEvent> drain();
  // Waits up to timeoutMs for at least one event, then drains.
  std::vector<TrainerEvent> waitAndDrain(int timeoutMs);

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<TrainerEvent> events_;
};

}  // namespace fts
