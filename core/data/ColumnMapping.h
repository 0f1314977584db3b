#pragma once
// Which column (CSV/TSV) or field (JSONL) holds the text, the label, or a prompt and its response.
// Detected by name (text, sentence, review, ...; label, class, ...; prompt/response, ...), else the
// text is the most text-like column; the user's choice always wins.
#include <string>
#include <vector>

namespace fts::data {

enum class DataTask { Auto, Classification, LanguageModel };
const char* toString(DataTask task);   // "auto", "cls", "lm"
bool parseDataTask(const std::string& name, DataTask& task);  // accepts auto|cls|lm

struct ColumnRequest {
  std::string text, label, response;   // names the user chose; empty: detect
  DataTask task = DataTask::Auto;
  std::string noun = "column";         // "column" for tables, "field" for JSON objects (in messages)
};

struct ColumnChoice {
  int text = -1, label = -1, response = -1;  // indexes into the names; -1: none
  std::vector<std::string> notes;            // how each was chosen, for the user
  std::string error;                         // non-empty: no usable mapping, and what to do
};

// `preview` holds the first rows' values (as text) in the order of `names`; it may be empty.
ColumnChoice chooseColumns(const std::vector<std::string>& names,
                           const std::vector<std::vector<std::string>>& preview, const ColumnRequest& request);

}  // namespace fts::data
