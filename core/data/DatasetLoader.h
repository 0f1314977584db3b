#pragma once
// Reads a user's data file into a Dataset, validating as it goes.
#include "core/data/DataIssue.h"
#include "core/data/Dataset.h"

#include <filesystem>
#include <string>
#include <vector>

namespace fts::data {

enum class ErrorPolicy { StopAtFirst, SkipAndReport };

struct LoadOptions {
  std::string textColumn;   // empty: detect (text, sentence, review, ... or the most text-like column)
  std::string labelColumn;  // empty: detect (label, class, category, ...)
  ErrorPolicy onError = ErrorPolicy::StopAtFirst;
  char delimiter = 0;       // 0: sniff from the file (',' '\t' ';' '|')
  std::size_t maxFieldBytes = 1u << 20;
};

struct LoadResult {
  Dataset dataset;
  std::vector<DataIssue> skipped;    // rows left out under SkipAndReport, each with its reason
  std::vector<std::string> notes;    // what was detected (delimiter, columns), for the user to see
};

// Throws DataError (with FILE:LINE messages) when the file is unusable, or at the first bad row
// under StopAtFirst.
LoadResult loadDataset(const std::filesystem::path& file, const LoadOptions& options = {});

}  // namespace fts::data
