#pragma once
// Fitting a token sequence into the model's max length. Which part to keep matters for long texts
// (Sun et al. 2019, "How to Fine-Tune BERT for Text Classification": head+tail did best on reviews).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace fts::data {

enum class Truncation {
  KeepHead,         // "head": the first maxLen tokens
  KeepTail,         // "tail": the last maxLen tokens
  KeepHeadAndTail,  // "head+tail": headShare of maxLen from the start, the rest from the end
};

const char* toString(Truncation t);                       // "head", "tail", "head+tail"
bool parseTruncation(const std::string& name, Truncation& t);

// At most maxLen ids of `ids`, in their original order.
std::vector<int> truncateIds(std::span<const int> ids, std::size_t maxLen, Truncation how, double headShare = 0.25);

}  // namespace fts::data
