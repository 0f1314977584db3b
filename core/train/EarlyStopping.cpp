#include "core/train/EarlyStopping.h"

namespace fts {

EarlyStopping::EarlyStopping(std::string metric, int patience, double minDelta)
    : metric_(std::move(metric)), patience_(patience), minDelta_(minDelta) {}

bool EarlyStopping::higherIsBetter(const std::string& m) { return m == "accuracy" || m == "macro_f1" || m == "weighted_f1"; }

bool EarlyStopping::known(const std::string& m) {
  return m == "val_loss" || m == "perplexity" || m == "accuracy" || m == "macro_f1" || m == "weighted_f1";
}

bool EarlyStopping::observe(double value, std::int64_t step) {
  const bool better = bestStep_ < 0 || (higherIsBetter(metric_) ? value > best_ + minDelta_ : value < best_ - minDelta_);
  if (better) {
    best_ = value;
    bestStep_ = step;
    bad_ = 0;
  } else {
    ++bad_;
  }
  return better;
}

void EarlyStopping::restore(double best, std::int64_t bestStep, int evalsWithoutImprovement) {
  best_ = best;
  bestStep_ = bestStep;
  bad_ = evalsWithoutImprovement;
}

}  // namespace fts
