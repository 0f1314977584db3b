#pragma once
// Sizes of one text the way the Dataset panel shows them: characters (code points), CJK
// characters, and an approximate token count for when no tokenizer is at hand.
#include <cstdint>
#include <string_view>

namespace fts::data {

struct TextMeasure {
  std::int64_t characters = 0;     // Unicode code points
  std::int64_t nonSpace = 0;       // code points that are not white space
  std::int64_t cjk = 0;            // code points in CJK scripts (see isCjk)
  std::int64_t approxTokens = 0;   // words of other scripts + one per CJK character
};

TextMeasure measureText(std::string_view utf8);

// Unicode white space that separates words (ASCII, NBSP, ideographic space, the U+2000 block).
bool isSpace(char32_t c);

}  // namespace fts::data
