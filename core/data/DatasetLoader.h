#pragma once
// Reads a user's data file (or folder) into a Dataset, validating as it goes. Every row left out
// appears in LoadResult::skipped with FILE:LINE[:COL] and what to do; nothing is dropped silently.
#include "core/data/ColumnMapping.h"
#include "core/data/DataFormat.h"
#include "core/data/DataIssue.h"
#include "core/data/Dataset.h"

#include <filesystem>
#include <string>
#include <vector>

namespace fts::data {

enum class ErrorPolicy { StopAtFirst, SkipAndReport };

struct LoadOptions {
  std::string textColumn;      // empty: detect (text, sentence, review, ... or the most text-like column)
  std::string labelColumn;     // empty: detect (label, class, category, ...)
  std::string responseColumn;  // empty: detect prompt/response pairs by name (prompt, response, ...)
  ErrorPolicy onError = ErrorPolicy::StopAtFirst;
  char delimiter = 0;          // 0: sniff from the file (',' '\t' ';' '|'); CSV/TSV only
  std::size_t maxFieldBytes = 1u << 20;
  DataFormat format = DataFormat::Auto;  // Auto: by extension, else by content
  // What the data is for. Classification needs a label column and two classes; LanguageModel
  // ignores labels; Auto treats labelled data as classification and the rest as LM text.
  DataTask task = DataTask::Auto;
  std::size_t readChunkBytes = 1u << 20;  // how much is read at a time (small in tests)
};

struct LoadResult {
  Dataset dataset;
  std::vector<DataIssue> skipped;    // rows left out under SkipAndReport, each with its reason
  std::vector<DataIssue> warnings;   // usable, but worth a look (a class with one sample, ...)
  std::vector<std::string> notes;    // what was detected (format, delimiter, columns), for the user
  DataFormat format = DataFormat::Auto;  // the format read
  DataTask task = DataTask::Auto;        // resolved: Classification or LanguageModel
  char delimiter = 0;                    // CSV/TSV
  std::string textColumn, labelColumn, responseColumn;  // names used (empty: none)
  std::int64_t rowsRead = 0;             // rows (entries, files) seen: kept + skipped
};

// Throws DataError (with FILE:LINE messages) when the file is unusable for the task, or at the
// first bad row under StopAtFirst. Never crashes on any bytes.
LoadResult loadDataset(const std::filesystem::path& file, const LoadOptions& options = {});

}  // namespace fts::data
