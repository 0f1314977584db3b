#pragma once
// UTF-8 checks that say where the first bad byte is, and small decoding helpers.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fts::data {

// Offset of the first byte that is not part of valid UTF-8 (overlongs, surrogates and
// code points above U+10FFFF are invalid), or nullopt when the text is valid.
std::optional<std::size_t> firstInvalidUtf8(std::string_view text);

// The first byte a data file must not hold: invalid UTF-8, or a NUL (valid UTF-8, but a sign of a
// binary or UTF-16 file, and a string terminator for many tools).
struct Utf8Problem {
  enum class Kind { InvalidUtf8, NulByte };
  Kind kind = Kind::InvalidUtf8;
  std::size_t offset = 0;   // in the text given
  unsigned char byte = 0;   // the byte found there
};
std::optional<Utf8Problem> findUtf8Problem(std::string_view text);
// What is wrong and what to do, e.g. "invalid UTF-8 (byte 0xE9 at file offset 12): save the file as UTF-8 ...".
std::string describeUtf8Problem(const Utf8Problem& problem, std::uint64_t fileOffset);

// Decodes the code point at text[i] and advances i. Invalid bytes decode to U+FFFD, one byte each,
// so the loop always ends.
char32_t decodeUtf8(std::string_view text, std::size_t& i);

// Code points in valid UTF-8 (bytes that do not continue a sequence).
std::size_t countCodePoints(std::string_view text);

// Chinese, Japanese and Korean scripts: Han ideographs (with extensions and compatibility forms),
// kana, Hangul, CJK punctuation and full-width forms.
bool isCjk(char32_t c);

}  // namespace fts::data
