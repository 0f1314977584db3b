#pragma once
// Runs a Trainer to its end from the command line: progress for a person on `human` (a bar on a
// terminal, plain lines otherwise), Ctrl-C stops it cleanly. Shared by train, resume and pretrain.
#include "core/train/Trainer.h"

#include <cstdio>

namespace fts::cli {

TrainSummary runWithProgress(Trainer& trainer, std::FILE* human);

}  // namespace fts::cli
