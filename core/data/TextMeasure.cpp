#include "core/data/TextMeasure.h"

#include "core/data/Utf8.h"

namespace fts::data {

bool isSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

TextMeasure measureText(std::string_view text) {
  TextMeasure m;
  bool inWord = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c0 = static_cast<unsigned char>(text[i]);
    if (c0 < 0x80) {  // ASCII without decoding
      ++i;
      ++m.characters;
      const bool space = c0 == ' ' || (c0 >= '\t' && c0 <= '\r');
      if (space) {
        inWord = false;
        continue;
      }
      ++m.nonSpace;
      if (!inWord) ++m.approxTokens;
      inWord = true;
      continue;
    }
    const char32_t c = decodeUtf8(text, i);
    ++m.characters;
    if (isSpace(c)) {
      inWord = false;
      continue;
    }
    ++m.nonSpace;
    if (isCjk(c)) {
      ++m.cjk;
      ++m.approxTokens;  // CJK is written without spaces: count characters, not "words"
      inWord = false;
      continue;
    }
    if (!inWord) ++m.approxTokens;
    inWord = true;
  }
  return m;
}

}  // namespace fts::data
