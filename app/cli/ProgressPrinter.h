#pragma once
// Prints trainer events for a person: a live bar with rate and ETA on a terminal, plain lines otherwise.
#include "core/train/TrainerEvents.h"

#include <cstdio>

namespace fts::cli {

class ProgressPrinter {
 public:
  explicit ProgressPrinter(std::FILE* out);
  void handle(const TrainerEvent& e);
  void finishLine();

 private:
  std::FILE* out_;
  bool tty_;
  bool barShown_ = false;
  double lastPlainPrint_ = -1e9;
  double lastLoss_ = 0;
  double lastVal_ = -1;
};

std::string formatDuration(double seconds);

}  // namespace fts::cli
