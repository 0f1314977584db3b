#pragma once
// Baselines a network has to beat: the majority class, and a bag-of-words multinomial naive Bayes
// (word unigrams and bigrams; CJK text counts characters and character pairs as words, since it has
// no spaces). Users want to know whether fine-tuning a language model beats these before they pay for it.
// Torch-free, Qt-free: trains in well under a second on thousands of texts.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fts {

enum class BaselineKind { Majority, BagOfWords };
const char* toString(BaselineKind k);                        // "majority", "bow"
bool parseBaselineKind(const std::string& name, BaselineKind& out);

// The features of a text: normalised (case folded, punctuation dropped), words and word pairs;
// CJK runs give characters and character pairs.
std::vector<std::string> bagOfWordsFeatures(std::string_view text);

class TextClassBaseline {
 public:
  // texts[i] has class labels[i] in [0, classNames.size()). Throws std::invalid_argument when
  // empty or mismatched.
  static TextClassBaseline train(BaselineKind kind, const std::vector<std::string>& texts, const std::vector<int>& labels,
                                 const std::vector<std::string>& classNames, double alpha = 1.0);

  // Probability of each class for the text.
  std::vector<double> probabilities(std::string_view text) const;
  int predict(std::string_view text) const;

  BaselineKind kind() const { return kind_; }
  const std::vector<std::string>& classNames() const { return classNames_; }
  double alpha() const { return alpha_; }
  std::size_t vocabularySize() const { return vocab_.size(); }
  // Another smoothing strength on the same counts (cheap: no recount).
  void setAlpha(double alpha);

  // JSON (the run folder's baseline.json). fromJson throws std::invalid_argument naming `source`.
  std::string toJson() const;
  static TextClassBaseline fromJson(const std::string& json, const std::string& source);

 private:
  void rebuildLogProbabilities();
  BaselineKind kind_ = BaselineKind::Majority;
  std::vector<std::string> classNames_;
  std::vector<double> classCounts_;                // documents per class
  std::unordered_map<std::string, int> vocab_;     // feature -> index
  std::vector<std::vector<double>> featureCounts_; // [class][feature]
  double alpha_ = 1.0;
  std::vector<double> logPrior_;
  std::vector<std::vector<double>> logLikelihood_; // [class][feature]
  std::vector<double> logUnseen_;                  // [class]: a feature the training texts never had
};

}  // namespace fts
