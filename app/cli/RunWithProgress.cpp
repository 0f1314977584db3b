#include "app/cli/RunWithProgress.h"

#include "app/cli/InterruptGuard.h"
#include "app/cli/ProgressPrinter.h"

namespace fts::cli {

TrainSummary runWithProgress(Trainer& trainer, std::FILE* human) {
  ProgressPrinter printer(human);
  InterruptGuard interrupt(trainer);
  trainer.start();
  while (trainer.isRunning())
    for (const auto& ev : trainer.events().waitAndDrain(200)) printer.handle(ev);
  trainer.join();
  // Whatever the thread pushed after the last drain.
  for (const auto& ev : trainer.events().drain()) printer.handle(ev);
  printer.finishLine();
  return trainer.summary();
}

}  // namespace fts::cli
