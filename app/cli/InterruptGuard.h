#pragma once
// While alive, Ctrl-C asks the trainer to stop cleanly after its current step (it then writes a
// checkpoint); a second Ctrl-C ends the process at once.
namespace fts {
class Trainer;
}

namespace fts::cli {

class InterruptGuard {
 public:
  explicit InterruptGuard(Trainer& trainer);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

}  // namespace fts::cli
