#pragma once
// In-memory samples read from a user's file, each remembering where it came from.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fts::data {

struct Sample {
  std::string text;       // classification input, the prompt of a prompt/response pair, or LM text
  std::string label;      // classification label (empty for language modelling)
  std::string response;   // generation: the expected output for `text` as the prompt (empty otherwise)
  std::int64_t line = 0;  // 1-based line in the source file where the sample starts (0: unknown)
  std::int32_t file = -1; // index into Dataset::files when samples come from several files; -1: source
};

struct Dataset {
  std::string source;              // file (or folder) the samples came from
  std::vector<std::string> files;  // for a folder of files: the file of each sample (Sample::file)
  std::vector<Sample> samples;

  bool labelled() const;
  bool paired() const;  // prompt/response samples
  // Label -> count, sorted by label.
  std::map<std::string, std::int64_t> classCounts() const;
  // Sorted distinct labels: index in this vector is the class id.
  std::vector<std::string> labels() const;
  // "FILE:LINE" (or "FILE") of sample i, for messages.
  std::string where(std::size_t i) const;
};

}  // namespace fts::data
