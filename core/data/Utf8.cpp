#include "core/data/Utf8.h"

#include <cstdio>
#include <cstring>

namespace fts::data {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
constexpr std::uint64_t kLowBits = 0x0101010101010101ull;

// True when one of the 8 bytes is zero (the classic bit trick).
inline bool hasZeroByte(std::uint64_t w) { return ((w - kLowBits) & ~w & kHighBits) != 0; }

// Length of the valid sequence at p[0..n), or 0 when it is invalid.
inline std::size_t validSequenceLength(const unsigned char* p, std::size_t n) {
  const unsigned char c = p[0];
  std::size_t len;
  unsigned cp;
  if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
  else return 0;
  if (len > n) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

}  // namespace

std::optional<Utf8Problem> findUtf8Problem(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // Fast path: 8 ASCII bytes without a NUL at a time (most data files are mostly ASCII).
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & kHighBits) != 0 || hasZeroByte(w)) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c == 0) return Utf8Problem{Utf8Problem::Kind::NulByte, i, c};
    if (c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = validSequenceLength(p + i, n - i);
    if (len == 0) return Utf8Problem{Utf8Problem::Kind::InvalidUtf8, i, c};
    i += len;
  }
  return std::nullopt;
}

std::string describeUtf8Problem(const Utf8Problem& p, std::uint64_t fileOffset) {
  if (p.kind == Utf8Problem::Kind::NulByte)
    return "NUL byte (file offset " + std::to_string(fileOffset) +
           "): a text file holds none; the file may be binary or UTF-16: save it as UTF-8";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", p.byte);
  return "invalid UTF-8 (byte " + std::string(hex) + " at file offset " + std::to_string(fileOffset) +
         "): save the file as UTF-8 (from Latin-1: iconv -f latin1 -t utf-8)";
}

std::optional<std::size_t> firstInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0;
  while (i < s.size()) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = validSequenceLength(p + i, s.size() - i);
    if (len == 0) return i;
    i += len;
  }
  return std::nullopt;
}

char32_t decodeUtf8(std::string_view s, std::size_t& i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char c = p[i];
  if (c < 0x80) {
    ++i;
    return c;
  }
  const std::size_t len = validSequenceLength(p + i, s.size() - i);
  if (len == 0) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3F);
  i += len;
  return cp;
}

std::size_t countCodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool isCjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF)      // CJK unified ideographs
         || (c >= 0x3400 && c <= 0x4DBF)   // extension A
         || (c >= 0x20000 && c <= 0x3134F) // extensions B-G
         || (c >= 0xF900 && c <= 0xFAFF)   // compatibility ideographs
         || (c >= 0x3000 && c <= 0x30FF)   // CJK punctuation, hiragana, katakana
         || (c >= 0x31F0 && c <= 0x31FF)   // katakana extensions
         || (c >= 0xAC00 && c <= 0xD7AF)   // Hangul syllables
         || (c >= 0x1100 && c <= 0x11FF)   // Hangul jamo
         || (c >= 0x3130 && c <= 0x318F)   // Hangul compatibility jamo
         || (c >= 0xFF00 && c <= 0xFFEF);  // half- and full-width forms
}

}  // namespace fts::data
