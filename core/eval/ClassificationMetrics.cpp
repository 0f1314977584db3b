#include "core/eval/ClassificationMetrics.h"

#include <stdexcept>

namespace fts {

ClassificationReport classificationReport(const std::vector<int>& truth, const std::vector<int>& predicted, int numClasses) {
  if (truth.size() != predicted.size()) throw std::invalid_argument("classificationReport: sizes differ");
  ClassificationReport r;
  const size_t C = static_cast<size_t>(numClasses);
  r.confusion.assign(C, std::vector<long>(C, 0));
  long correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const int t = truth[i], p = predicted[i];
    if (t < 0 || t >= numClasses || p < 0 || p >= numClasses) throw std::out_of_range("classificationReport: class id out of range");
    ++r.confusion[t][p];
    correct += t == p;
  }
  r.accuracy = truth.empty() ? 0.0 : static_cast<double>(correct) / truth.size();
  r.precision.assign(C, 0);
  r.recall.assign(C, 0);
  r.f1.assign(C, 0);
  r.support.assign(C, 0);
  int present = 0;
  for (size_t c = 0; c < C; ++c) {
    long tp = r.confusion[c][c], fp = 0, fn = 0;
    for (size_t k = 0; k < C; ++k) {
      if (k == c) continue;
      fp += r.confusion[k][c];
      fn += r.confusion[c][k];
    }
    r.support[c] = tp + fn;
    r.precision[c] = tp + fp > 0 ? static_cast<double>(tp) / (tp + fp) : 0.0;
    r.recall[c] = tp + fn > 0 ? static_cast<double>(tp) / (tp + fn) : 0.0;
    const double pr = r.precision[c] + r.recall[c];
    r.f1[c] = pr > 0 ? 2 * r.precision[c] * r.recall[c] / pr : 0.0;
    if (r.support[c] > 0) {
      ++present;
      r.macroPrecision += r.precision[c];
      r.macroRecall += r.recall[c];
      r.macroF1 += r.f1[c];
      r.weightedF1 += r.f1[c] * r.support[c];
    }
  }
  if (present > 0) {
    r.macroPrecision /= present;
    r.macroRecall /= present;
    r.macroF1 /= present;
  }
  if (!truth.empty()) r.weightedF1 /= static_cast<double>(truth.size());
  return r;
}

}  // namespace fts
