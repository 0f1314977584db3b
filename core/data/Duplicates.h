#pragma once
// Duplicate rows within a set, and leakage: rows of a validation or test set that also occur in
// the training set (the score on them measures memory, not generalisation). Two comparisons:
// exact (byte for byte) and normalized (see TextNormalization.h). A sample's text and response
// are compared; labels are not (the same text with two labels is reported as a conflict).
#include "core/data/Dataset.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fts::data {

struct DuplicateExample {
  std::size_t row = 0;    // the later row
  std::size_t first = 0;  // the earlier row it repeats (in the training set, for leakage)
  bool exact = false;
};

struct DuplicateReport {
  std::int64_t exact = 0;        // rows equal to an earlier row
  std::int64_t normalized = 0;   // rows equal to an earlier row after normalization (exact ones included)
  std::int64_t conflicting = 0;  // of those, rows whose label differs from the earlier row's
  std::vector<DuplicateExample> examples;  // the first few
};

struct LeakageReport {
  std::int64_t rows = 0;         // rows of the other set examined
  std::int64_t exact = 0;        // of them, found verbatim in the training rows
  std::int64_t normalized = 0;   // found after normalization (exact ones included)
  std::vector<DuplicateExample> examples;  // row: in the other set, first: in the training set
};

// Every index of a dataset, for the functions below.
std::vector<std::size_t> allRows(const Dataset& data);

DuplicateReport findDuplicates(const Dataset& data, const std::vector<std::size_t>& rows, std::size_t maxExamples = 10);

LeakageReport findLeakage(const Dataset& train, const std::vector<std::size_t>& trainRows, const Dataset& other,
                          const std::vector<std::size_t>& otherRows, std::size_t maxExamples = 10);

}  // namespace fts::data
