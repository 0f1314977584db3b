#pragma once
// Learning rate at a step: linear warmup, then constant, linear decay or cosine decay to 10%.
#include <string>

namespace fts {

struct LrSchedule {
  std::string kind = "cosine";  // constant | linear | cosine
  double peak = 1e-3;
  long warmupSteps = 0;
  long totalSteps = 1;
  double minRatio = 0.1;        // decays end at peak * minRatio

  double at(long step) const;   // step counts from 0
  static bool validKind(const std::string& k) { return k == "constant" || k == "linear" || k == "cosine"; }
};

}  // namespace fts
