#include "app/cli/InterruptGuard.h"

#include "core/train/Trainer.h"

#include <atomic>
#include <csignal>

namespace fts::cli {
namespace {

std::atomic<Trainer*> g_trainer{nullptr};

void onInterrupt(int) {
  if (Trainer* t = g_trainer.load()) {
    t->requestStop();  // an atomic store: safe in a signal handler
    std::signal(SIGINT, SIG_DFL);
  }
}

}  // namespace

InterruptGuard::InterruptGuard(Trainer& trainer) {
  g_trainer = &trainer;
  std::signal(SIGINT, onInterrupt);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, SIG_DFL);
  g_trainer = nullptr;
}

}  // namespace fts::cli
