#pragma once
// What an augmentation (or a word-substitution attack) changed in a text, as data: one edit per
// changed span, with the byte offsets of that span in the source and in the output, so the output
// can be rebuilt from the source (applyChangeLog) and a view can highlight both sides.
//
// Offsets are UTF-8 byte offsets and always fall on character boundaries. Edits are sorted by
// sourceBegin and never overlap in the source; insertions are empty source ranges (several at one
// place apply in list order). oldToken and newToken are the exact bytes replaced and inserted: a
// word inserted into English text carries its separating space ("glad "), a word deleted the space
// it leaves behind, so replaying the log is byte-exact.
//
// JSONL (one line per variant; the change-log file written beside an augmented data set):
//   {"source_row": 12, "variant": 1, "ops": ["sr"], "output": "...",
//    "edits": [{"op": "sr", "word": 3, "source_begin": 10, "source_end": 15, "output_begin": 10,
//               "output_end": 14, "old": "happy", "new": "glad", "from": "wordnet"}]}
#include "core/augment/Operation.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fts::augment {

struct Edit {
  Operation op = Operation::SynonymReplacement;
  int wordIndex = 0;             // index of the word in the source's word list (insertions: the word
                                 // it is inserted before; the word count when at the end)
  std::size_t sourceBegin = 0;   // [sourceBegin, sourceEnd) in the source
  std::size_t sourceEnd = 0;
  std::size_t outputBegin = 0;   // [outputBegin, outputEnd) in the output: where newToken landed
  std::size_t outputEnd = 0;
  std::string oldToken;          // source bytes replaced (empty for an insertion)
  std::string newToken;          // bytes put in their place (empty for a deletion)
  std::string from;              // where newToken came from: "wordnet", "vectors:FILE", "user:FILE",
                                 // "keyboard", "swap", "delete", "insert", "sample", "punctuation", ...
};

struct ChangeLog {
  std::vector<Edit> edits;
};

// The source with every edit applied. Throws std::invalid_argument when the log does not fit the
// source (a range past its end, edits out of order or overlapping, oldToken not what is there).
std::string applyChangeLog(std::string_view source, const ChangeLog& log);

// Sorts the edits by source position (stable: insertions at one place keep their order), fills
// their output offsets and returns the output. The edits' source ranges and oldTokens must be set.
std::string finishChangeLog(std::string_view source, ChangeLog& log);

// Words changed: distinct word indices among the edits.
std::size_t changedWordCount(const ChangeLog& log);

// One augmented variant of a source sample.
struct Variant {
  std::int64_t sourceRow = 0;  // 1-based line of the source sample in its file (0: unknown)
  int index = 0;               // 0-based among the variants of that sample
  std::vector<Operation> ops;  // the operations that made it
  std::string output;
  ChangeLog log;
};

// "sr" or "sr+aeda": the ops column of an augmented data set.
std::string opsLabel(const std::vector<Operation>& ops);

// One JSON line (no newline at the end).
std::string toJsonLine(const Variant& variant);
// Parses a line written by toJsonLine. Throws std::invalid_argument naming `where` (FILE:LINE).
Variant parseJsonLine(std::string_view line, const std::string& where);

}  // namespace fts::augment
