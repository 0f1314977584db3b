#pragma once
// The pre-tokenizers of Hugging Face tokenizer.json files that WordPiece and byte-level BPE models use:
// they cut normalized text into the words the model encodes one at a time. BertPreTokenizer,
// Whitespace, WhitespaceSplit, Digits, Split (a PCRE2 pattern or a literal string, with each split
// behaviour), ByteLevel (GPT-2's split pattern and the byte-to-unicode mapping), and a Sequence.
#include "core/text/Pcre2Regex.h"

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fts {

// What happens to the matches of a split pattern (tokenizers' SplitDelimiterBehavior).
enum class HfSplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct HfPreTokenizerStep {
  enum class Kind { Bert, Whitespace, WhitespaceSplit, Digits, Split, ByteLevel };
  Kind kind = Kind::ByteLevel;
  // Split: a regular expression, or else a literal string.
  std::shared_ptr<const Pcre2Regex> regex;
  std::string literal;
  HfSplitBehavior behavior = HfSplitBehavior::Isolated;
  bool invert = false;
  // Digits
  bool individualDigits = false;
  // ByteLevel
  bool addPrefixSpace = false;
  bool useRegex = true;
};

class HfPreTokenizer {
 public:
  void add(HfPreTokenizerStep step);
  bool empty() const { return steps_.empty(); }
  // The words of `normalized` (valid UTF-8), in order; empty words are dropped. After a ByteLevel
  // step the words are in byte-level characters (byte 0x20 is "Ġ").
  std::vector<std::string> apply(std::string_view normalized) const;

 private:
  std::vector<HfPreTokenizerStep> steps_;
};

// GPT-2's byte-to-unicode table: printable bytes stand for themselves, the others for code points
// from U+0100 on, so every byte string is a printable string.
const std::array<char32_t, 256>& byteLevelAlphabet();
// The inverse: the byte a byte-level character stands for, or -1.
int byteLevelByte(char32_t cp);
// Bytes -> byte-level characters (UTF-8).
std::string toByteLevel(std::string_view bytes);

// GPT-2's split pattern, which ByteLevel applies when use_regex is true.
inline constexpr const char* kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

}  // namespace fts
