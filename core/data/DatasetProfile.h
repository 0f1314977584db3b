#pragma once
// The numbers the Dataset panel shows: rows, classes and their balance, duplicates, lengths in
// characters and tokens (histogram, percentiles, how many exceed the max length), share of CJK.
#include "core/data/Dataset.h"
#include "core/data/Duplicates.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace fts::data {

struct LengthSummary {
  std::int64_t count = 0, min = 0, max = 0;
  double mean = 0;
  std::int64_t p50 = 0, p90 = 0, p95 = 0, p99 = 0;  // nearest-rank percentiles
  struct Bin {
    std::int64_t from = 0, to = 0;  // [from, to)
    std::int64_t count = 0;
  };
  std::vector<Bin> histogram;  // equal widths (1, 2 or 5 times a power of ten) from 0 past max
  std::int64_t limit = 0;      // 0: no limit given
  std::int64_t overLimit = 0;  // lengths > limit
};

LengthSummary summarizeLengths(std::vector<std::int64_t> lengths, std::int64_t limit = 0, int bins = 20);

struct ClassStat {
  std::string label;
  std::int64_t count = 0;
  double share = 0;  // of all rows
};

struct ProfileOptions {
  // Tokens in a text; empty: approximated as words of space-separated scripts + CJK characters.
  std::function<std::int64_t(std::string_view)> countTokens;
  std::int64_t maxTokens = 128;     // the model's max length: rows above it get truncated
  int histogramBins = 20;
  double imbalanceWarnRatio = 5.0;  // warn when the largest class is this many times the smallest
  std::size_t maxExamples = 10;
};

struct DatasetProfile {
  std::int64_t rows = 0;
  std::vector<ClassStat> classes;  // sorted by label; empty when unlabelled
  double imbalanceRatio = 0;       // largest class / smallest class (0: unlabelled)
  DuplicateReport duplicates;
  LengthSummary characters;        // code points of text (+ response)
  LengthSummary tokens;
  std::vector<std::int64_t> tokenLengths;  // every row's, ascending: recount at another max length
  bool tokensApproximate = true;
  double cjkShare = 0;             // CJK characters / non-space characters, over all rows
  std::int64_t cjkRows = 0;        // rows whose non-space characters are mostly CJK
  std::vector<std::string> warnings;
};

DatasetProfile profileDataset(const Dataset& data, const ProfileOptions& options = {});

// Rows longer than maxTokens, from DatasetProfile::tokenLengths: the count at another max length
// without profiling again (a binary search, cheap enough for a GUI thread).
std::int64_t countLongerThan(const std::vector<std::int64_t>& sortedLengths, std::int64_t maxTokens);

}  // namespace fts::data
