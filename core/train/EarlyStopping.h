#pragma once
// Early stopping on a validation metric: tracks the best value, counts evaluations without an
// improvement of at least minDelta, and says when patience has run out.
#include <cstdint>
#include <string>

namespace fts {

class EarlyStopping {
 public:
  EarlyStopping(std::string metric, int patience, double minDelta);

  // Lower is better for losses and perplexity, higher for accuracy and F1.
  static bool higherIsBetter(const std::string& metric);
  static bool known(const std::string& metric);

  // Records one evaluation; true when it is the best so far (by at least minDelta).
  bool observe(double value, std::int64_t step);
  bool shouldStop() const { return patience_ > 0 && bad_ >= patience_; }
  bool hasBest() const { return bestStep_ >= 0; }

  const std::string& metric() const { return metric_; }
  double best() const { return best_; }
  std::int64_t bestStep() const { return bestStep_; }
  int evalsWithoutImprovement() const { return bad_; }
  void restore(double best, std::int64_t bestStep, int evalsWithoutImprovement);

 private:
  std::string metric_;
  int patience_;
  double minDelta_;
  double best_ = 0;
  std::int64_t bestStep_ = -1;
  int bad_ = 0;
};

}  // namespace fts
