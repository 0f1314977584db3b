#include "core/data/TextNormalization.h"

#include "core/data/TextMeasure.h"
#include "core/data/Utf8.h"

namespace fts::data {
namespace {

bool isPunctuation(char32_t c) {
  if (c < 0x80) return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
  return (c >= 0x2010 && c <= 0x2027)     // dashes, quotes, ellipsis
         || (c >= 0x2030 && c <= 0x205E)  // per mille, primes, more quotes
         || (c >= 0x3001 && c <= 0x3003)  // 、。〃
         || (c >= 0x3008 && c <= 0x3011)  // 〈〉《》「」『』【】
         || (c >= 0x3014 && c <= 0x301F)  // 〔〕 ...
         || c == 0x00A1 || c == 0x00BF || c == 0x00AB || c == 0x00BB || c == 0x00B7 || c == 0x30FB;
}

void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

}  // namespace

std::string normalizeForDuplicates(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pendingSpace = false;
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t c = decodeUtf8(text, i);
    if (c >= 0xFF01 && c <= 0xFF5E) c = c - 0xFF01 + 0x21;  // full-width ASCII
    if (isSpace(c) || isPunctuation(c)) {
      pendingSpace = !out.empty();
      continue;
    }
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    else if ((c >= 0xC0 && c <= 0xDE) && c != 0xD7) c += 0x20;  // Latin-1 capitals
    if (pendingSpace) out.push_back(' ');
    pendingSpace = false;
    appendUtf8(out, c);
  }
  return out;
}

}  // namespace fts::data
