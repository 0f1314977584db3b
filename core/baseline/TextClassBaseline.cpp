#include "core/baseline/TextClassBaseline.h"

#include "core/data/TextNormalization.h"
#include "core/data/Utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace fts {

const char* toString(BaselineKind k) { return k == BaselineKind::Majority ? "majority" : "bow"; }

bool parseBaselineKind(const std::string& name, BaselineKind& out) {
  if (name == "majority") out = BaselineKind::Majority;
  else if (name == "bow") out = BaselineKind::BagOfWords;
  else return false;
  return true;
}

std::vector<std::string> bagOfWordsFeatures(std::string_view text) {
  // Words: runs between spaces of the normalised text; inside a word, each CJK character is a word
  // of its own (Chinese is written without spaces).
  const std::string norm = data::normalizeForDuplicates(text);
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  std::size_t i = 0;
  while (i < norm.size()) {
    const std::size_t start = i;
    const char32_t c = data::decodeUtf8(norm, i);
    if (c == ' ') {
      flush();
    } else if (data::isCjk(c)) {
      flush();
      words.emplace_back(norm.substr(start, i - start));
    } else {
      current.append(norm, start, i - start);
    }
  }
  flush();
  std::vector<std::string> features = words;
  for (std::size_t k = 1; k < words.size(); ++k) features.push_back(words[k - 1] + ' ' + words[k]);
  return features;
}

TextClassBaseline TextClassBaseline::train(BaselineKind kind, const std::vector<std::string>& texts, const std::vector<int>& labels,
                                           const std::vector<std::string>& classNames, double alpha) {
  if (texts.empty() || texts.size() != labels.size()) throw std::invalid_argument("a baseline needs texts with one label each");
  if (classNames.size() < 2) throw std::invalid_argument("a baseline needs at least two classes");
  TextClassBaseline b;
  b.kind_ = kind;
  b.classNames_ = classNames;
  b.classCounts_.assign(classNames.size(), 0);
  b.featureCounts_.assign(classNames.size(), {});
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const int c = labels[i];
    if (c < 0 || static_cast<std::size_t>(c) >= classNames.size()) throw std::invalid_argument("label id out of range");
    b.classCounts_[static_cast<std::size_t>(c)] += 1;
    if (kind != BaselineKind::BagOfWords) continue;
    for (const auto& f : bagOfWordsFeatures(texts[i])) {
      auto [it, added] = b.vocab_.try_emplace(f, static_cast<int>(b.vocab_.size()));
      auto& row = b.featureCounts_[static_cast<std::size_t>(c)];
      if (row.size() <= static_cast<std::size_t>(it->second)) row.resize(b.vocab_.size(), 0);
      row[static_cast<std::size_t>(it->second)] += 1;
    }
  }
  for (auto& row : b.featureCounts_) row.resize(b.vocab_.size(), 0);
  b.setAlpha(alpha);
  return b;
}

void TextClassBaseline::setAlpha(double alpha) {
  if (!(alpha > 0)) throw std::invalid_argument("the smoothing strength must be above 0");
  alpha_ = alpha;
  rebuildLogProbabilities();
}

void TextClassBaseline::rebuildLogProbabilities() {
  const std::size_t C = classNames_.size(), V = vocab_.size();
  const double docs = std::accumulate(classCounts_.begin(), classCounts_.end(), 0.0);
  logPrior_.assign(C, 0);
  logLikelihood_.assign(C, std::vector<double>(V, 0));
  logUnseen_.assign(C, 0);
  for (std::size_t c = 0; c < C; ++c) {
    // Laplace-smoothed priors too, so a class without training texts is unlikely but possible.
    logPrior_[c] = std::log((classCounts_[c] + 1) / (docs + static_cast<double>(C)));
    const double total = std::accumulate(featureCounts_[c].begin(), featureCounts_[c].end(), 0.0);
    const double denom = total + alpha_ * static_cast<double>(V + 1);  // +1: room for unseen features
    for (std::size_t f = 0; f < V; ++f) logLikelihood_[c][f] = std::log((featureCounts_[c][f] + alpha_) / denom);
    logUnseen_[c] = std::log(alpha_ / denom);
  }
}

std::vector<double> TextClassBaseline::probabilities(std::string_view text) const {
  const std::size_t C = classNames_.size();
  std::vector<double> score(logPrior_);
  if (kind_ == BaselineKind::BagOfWords) {
    for (const auto& f : bagOfWordsFeatures(text)) {
      const auto it = vocab_.find(f);
      // A feature no training text had says nothing about the class: skip it (its smoothed
      // probability differs between classes only through their total counts).
      if (it == vocab_.end()) continue;
      for (std::size_t c = 0; c < C; ++c) score[c] += logLikelihood_[c][static_cast<std::size_t>(it->second)];
    }
  }
  const double top = *std::max_element(score.begin(), score.end());
  double sum = 0;
  for (auto& s : score) sum += (s = std::exp(s - top));
  for (auto& s : score) s /= sum;
  return score;
}

int TextClassBaseline::predict(std::string_view text) const {
  const auto p = probabilities(text);
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

std::string TextClassBaseline::toJson() const {
  nlohmann::json j;
  j["format"] = "ftstudio-baseline";
  j["version"] = 1;
  j["kind"] = toString(kind_);
  j["alpha"] = alpha_;
  j["classes"] = classNames_;
  j["class_counts"] = classCounts_;
  std::vector<std::string> features(vocab_.size());
  for (const auto& [f, i] : vocab_) features[static_cast<std::size_t>(i)] = f;
  j["features"] = features;
  // Sparse: most features occur in one class only. [[feature index, count], ...] per class.
  nlohmann::json counts = nlohmann::json::array();
  for (const auto& row : featureCounts_) {
    nlohmann::json pairs = nlohmann::json::array();
    for (std::size_t f = 0; f < row.size(); ++f)
      if (row[f] != 0) pairs.push_back({f, row[f]});
    counts.push_back(std::move(pairs));
  }
  j["feature_counts"] = std::move(counts);
  return j.dump() + "\n";
}

TextClassBaseline TextClassBaseline::fromJson(const std::string& text, const std::string& source) {
  try {
    const auto j = nlohmann::json::parse(text);
    if (j.value("format", "") != "ftstudio-baseline" || j.value("version", 0) != 1)
      throw std::invalid_argument("not a version 1 Fine-tuning Studio baseline");
    TextClassBaseline b;
    if (!parseBaselineKind(j.at("kind").get<std::string>(), b.kind_)) throw std::invalid_argument("unknown baseline kind");
    b.classNames_ = j.at("classes").get<std::vector<std::string>>();
    b.classCounts_ = j.at("class_counts").get<std::vector<double>>();
    const auto features = j.at("features").get<std::vector<std::string>>();
    for (std::size_t i = 0; i < features.size(); ++i) b.vocab_[features[i]] = static_cast<int>(i);
    const auto& counts = j.at("feature_counts");
    if (b.classCounts_.size() != b.classNames_.size() || !counts.is_array() || counts.size() != b.classNames_.size())
      throw std::invalid_argument("class counts do not match the classes");
    for (const auto& pairs : counts) {
      std::vector<double> row(features.size(), 0);
      for (const auto& p : pairs) {
        const auto f = p.at(0).get<std::size_t>();
        if (f >= row.size()) throw std::invalid_argument("feature index " + std::to_string(f) + " out of range");
        row[f] = p.at(1).get<double>();
      }
      b.featureCounts_.push_back(std::move(row));
    }
    b.setAlpha(j.at("alpha").get<double>());
    return b;
  } catch (const std::exception& e) {
    throw std::invalid_argument(source + ": " + e.what());
  }
}

}  // namespace fts
