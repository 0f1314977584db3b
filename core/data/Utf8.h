#pragma once
// UTF-8 validation that says where the first bad byte is.
#include <cstddef>
#include <optional>
#include <string_view>

namespace fts::data {

// Offset of the first byte that is not part of valid UTF-8 (overlongs, surrogates and
// code points above U+10FFFF are invalid), or nullopt when the text is valid.
std::optional<std::size_t> firstInvalidUtf8(std::string_view text);

}  // namespace fts::data
