#include "core/data/DatasetProfile.h"

#include "core/data/TextMeasure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fts::data {
namespace {

// 1, 2 or 5 times a power of ten, at least `raw`.
std::int64_t niceWidth(double raw) {
  if (raw <= 1) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return static_cast<std::int64_t>(m * p);
  return static_cast<std::int64_t>(10 * p);
}

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", share * 100);
  return buf;
}

}  // namespace

LengthSummary summarizeLengths(std::vector<std::int64_t> lengths, std::int64_t limit, int bins) {
  LengthSummary s;
  s.limit = limit;
  if (lengths.empty()) return s;
  std::sort(lengths.begin(), lengths.end());
  s.count = static_cast<std::int64_t>(lengths.size());
  s.min = lengths.front();
  s.max = lengths.back();
  double sum = 0;
  for (auto v : lengths) sum += static_cast<double>(v);
  s.mean = sum / static_cast<double>(lengths.size());
  s.p50 = percentile(lengths, 50);
  s.p90 = percentile(lengths, 90);
  s.p95 = percentile(lengths, 95);
  s.p99 = percentile(lengths, 99);
  if (limit > 0) s.overLimit = static_cast<std::int64_t>(lengths.end() - std::upper_bound(lengths.begin(), lengths.end(), limit));
  bins = std::max(bins, 1);
  const std::int64_t width = niceWidth(static_cast<double>(s.max + 1) / bins);
  const std::int64_t n = s.max / width + 1;
  s.histogram.resize(static_cast<std::size_t>(n));
  for (std::int64_t b = 0; b < n; ++b) s.histogram[static_cast<std::size_t>(b)] = {b * width, (b + 1) * width, 0};
  for (auto v : lengths) ++s.histogram[static_cast<std::size_t>(v / width)].count;
  return s;
}

std::int64_t countLongerThan(const std::vector<std::int64_t>& sortedLengths, std::int64_t maxTokens) {
  return static_cast<std::int64_t>(sortedLengths.end() - std::upper_bound(sortedLengths.begin(), sortedLengths.end(), maxTokens));
}

DatasetProfile profileDataset(const Dataset& data, const ProfileOptions& options) {
  DatasetProfile p;
  p.rows = static_cast<std::int64_t>(data.samples.size());

  // Classes.
  const auto counts = data.classCounts();
  std::int64_t largest = 0, smallest = 0;
  std::string largestLabel, smallestLabel;
  for (const auto& [label, n] : counts) {
    p.classes.push_back({label, n, p.rows ? static_cast<double>(n) / static_cast<double>(p.rows) : 0});
    if (n > largest) largest = n, largestLabel = label;
    if (smallest == 0 || n < smallest) smallest = n, smallestLabel = label;
  }
  if (!counts.empty()) {
    p.imbalanceRatio = static_cast<double>(largest) / static_cast<double>(smallest);
    if (counts.size() >= 2 && p.imbalanceRatio >= options.imbalanceWarnRatio) {
      char ratio[32];
      std::snprintf(ratio, sizeof ratio, "%.1f", p.imbalanceRatio);
      p.warnings.push_back("classes are imbalanced: '" + largestLabel + "' has " + std::to_string(largest) + " rows, '" +
                           smallestLabel + "' only " + std::to_string(smallest) + " (" + ratio +
                           "x); add samples of the small classes, or weight the loss by class");
    }
  }

  // Lengths and scripts.
  std::vector<std::int64_t> chars, tokens;
  chars.reserve(data.samples.size());
  tokens.reserve(data.samples.size());
  std::int64_t cjk = 0, nonSpace = 0;
  p.tokensApproximate = !options.countTokens;
  for (const auto& s : data.samples) {
    TextMeasure m = measureText(s.text);
    if (!s.response.empty()) {
      const TextMeasure r = measureText(s.response);
      m.characters += r.characters;
      m.nonSpace += r.nonSpace;
      m.cjk += r.cjk;
      m.approxTokens += r.approxTokens;
    }
    chars.push_back(m.characters);
    cjk += m.cjk;
    nonSpace += m.nonSpace;
    if (m.nonSpace > 0 && m.cjk * 2 > m.nonSpace) ++p.cjkRows;
    if (options.countTokens) {
      std::int64_t t = options.countTokens(s.text);
      if (!s.response.empty()) t += options.countTokens(s.response);
      tokens.push_back(t);
    } else {
      tokens.push_back(m.approxTokens);
    }
  }
  p.cjkShare = nonSpace ? static_cast<double>(cjk) / static_cast<double>(nonSpace) : 0;
  p.characters = summarizeLengths(std::move(chars), 0, options.histogramBins);
  std::sort(tokens.begin(), tokens.end());
  p.tokenLengths = tokens;
  p.tokens = summarizeLengths(std::move(tokens), options.maxTokens, options.histogramBins);
  if (p.tokens.overLimit > 0)
    p.warnings.push_back(std::to_string(p.tokens.overLimit) + " rows (" +
                         percent(static_cast<double>(p.tokens.overLimit) / static_cast<double>(p.rows)) + ") are longer than " +
                         std::to_string(options.maxTokens) + (p.tokensApproximate ? " tokens (approximately)" : " tokens") +
                         " and will be truncated; raise the maximum length or choose how to truncate");

  // Duplicates.
  p.duplicates = findDuplicates(data, allRows(data), options.maxExamples);
  if (p.duplicates.normalized > 0)
    p.warnings.push_back(std::to_string(p.duplicates.normalized) + " rows repeat an earlier row (" +
                         std::to_string(p.duplicates.exact) + " exactly): duplicates weigh more in training and can "
                         "leak into validation; remove them");
  if (p.duplicates.conflicting > 0)
    p.warnings.push_back(std::to_string(p.duplicates.conflicting) +
                         " repeated texts carry a different label than their first occurrence: check the labels");
  return p;
}

}  // namespace fts::data
