#include "core/text/HfAddedTokens.h"

#include "core/text/HfNormalizer.h"
#include "core/text/Utf8.h"

#include <unicode/uchar.h>

#include <algorithm>

namespace fts {
namespace {

// The code point that ends just before byte `end` (text is valid UTF-8).
char32_t codePointBefore(std::string_view text, std::size_t end, std::size_t* begin) {
  std::size_t b = end - 1;
  while (b > 0 && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80) --b;
  std::size_t i = b;
  const char32_t cp = utf8::next(text, i);
  if (begin) *begin = b;
  return cp;
}

bool isWordChar(char32_t cp) { return cp == '_' || u_isalnum(static_cast<UChar32>(cp)); }

}  // namespace

void HfAddedTokenMatcher::add(const HfAddedToken& token) {
  if (token.content.empty()) return;
  tokens_.push_back(token);
  auto& bucket = byFirstByte_[static_cast<unsigned char>(token.content.front())];
  bucket.push_back(static_cast<int>(tokens_.size()) - 1);
  std::stable_sort(bucket.begin(), bucket.end(),
                   [&](int a, int b) { return tokens_[a].content.size() > tokens_[b].content.size(); });
}

std::vector<HfTextSegment> HfAddedTokenMatcher::split(std::string_view text) const {
  std::vector<HfTextSegment> out;
  if (tokens_.empty()) {
    if (!text.empty()) out.push_back({text, -1});
    return out;
  }
  std::size_t plainBegin = 0;  // start of the plain stretch not yet emitted
  std::size_t at = 0;
  while (at < text.size()) {
    const HfAddedToken* found = nullptr;
    for (const int k : byFirstByte_[static_cast<unsigned char>(text[at])]) {
      const auto& t = tokens_[k];
      if (text.compare(at, t.content.size(), t.content) == 0) {
        found = &t;
        break;
      }
    }
    if (!found) {
      ++at;
      continue;
    }
    std::size_t begin = at, end = at + found->content.size();
    if (found->singleWord) {
      std::size_t unused = 0;
      const bool wordBefore = begin > 0 && isWordChar(codePointBefore(text, begin, &unused));
      std::size_t j = end;
      const bool wordAfter = end < text.size() && isWordChar(utf8::next(text, j));
      if (wordBefore || wordAfter) {
        at = end;  // as the tokenizers crate does, the skipped match is not searched again
        continue;
      }
    }
    if (found->lstrip) {
      while (begin > plainBegin) {
        std::size_t b = 0;
        if (!isUnicodeWhitespace(codePointBefore(text, begin, &b))) break;
        begin = b;
      }
    }
    if (found->rstrip) {
      while (end < text.size()) {
        std::size_t j = end;
        if (!isUnicodeWhitespace(utf8::next(text, j))) break;
        end = j;
      }
    }
    if (begin > plainBegin) out.push_back({text.substr(plainBegin, begin - plainBegin), -1});
    out.push_back({text.substr(begin, end - begin), found->id});
    plainBegin = at = end;
  }
  if (plainBegin < text.size()) out.push_back({text.substr(plainBegin), -1});
  return out;
}

}  // namespace fts
