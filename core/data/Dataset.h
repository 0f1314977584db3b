#pragma once
// In-memory samples read from a user's file, each remembering where it came from.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fts::data {

struct Sample {
  std::string text;      // classification input, or the whole text for language modelling
  std::string label;     // classification label (empty for language modelling)
  std::int64_t line = 0; // 1-based line in the source file where the sample starts (0: unknown)
};

struct Dataset {
  std::string source;              // file (or folder) the samples came from
  std::vector<Sample> samples;

  bool labelled() const;
  // Label -> count, sorted by label.
  std::map<std::string, std::int64_t> classCounts() const;
  // Sorted distinct labels: index in this vector is the class id.
  std::vector<std::string> labels() const;
};

}  // namespace fts::data
