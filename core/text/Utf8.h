#pragma once
// UTF-8 helpers for the tokenizers: code points out of bytes and back. Tokenizer input may come from
// any file, so decoding never throws: a malformed byte reads as U+FFFD, as Python's and Rust's lossy
// decoders read it.
#include <cstddef>
#include <string>
#include <string_view>

namespace fts::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// The code point starting at s[i]; advances i past it (one byte for a malformed sequence).
char32_t next(std::string_view s, std::size_t& i);
void append(std::string& out, char32_t cp);
// s itself when it is valid UTF-8, else s with every malformed sequence replaced by U+FFFD.
std::string toValid(std::string_view s);
bool isValid(std::string_view s);
std::size_t countCodePoints(std::string_view s);

}  // namespace fts::utf8
