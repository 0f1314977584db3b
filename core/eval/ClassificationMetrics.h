#pragma once
// Accuracy, precision/recall/F1 (per class, macro, weighted) and the confusion matrix.
#include <string>
#include <vector>

namespace fts {

struct ClassificationReport {
  double accuracy = 0;
  double macroPrecision = 0, macroRecall = 0, macroF1 = 0;
  double weightedF1 = 0;
  std::vector<double> precision, recall, f1;  // per class
  std::vector<long> support;                  // true samples per class
  std::vector<std::vector<long>> confusion;   // [true][predicted]
};

// truth and predicted hold class ids in [0, numClasses). Classes absent from both count 0 in macro
// averages only when they have support; a class never seen in truth is left out of macro averages.
ClassificationReport classificationReport(const std::vector<int>& truth, const std::vector<int>& predicted, int numClasses);

}  // namespace fts
