#include "core/train/LrSchedule.h"

#include <algorithm>
#include <cmath>

namespace fts {

double LrSchedule::at(long step) const {
  if (warmupSteps > 0 && step < warmupSteps) return peak * static_cast<double>(step + 1) / static_cast<double>(warmupSteps);
  if (kind == "constant") return peak;
  const long decaySteps = std::max(1L, totalSteps - warmupSteps);
  const double progress = std::clamp(static_cast<double>(step - warmupSteps) / static_cast<double>(decaySteps), 0.0, 1.0);
  const double floor = peak * minRatio;
  if (kind == "linear") return floor + (peak - floor) * (1.0 - progress);
  return floor + (peak - floor) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

}  // namespace fts
