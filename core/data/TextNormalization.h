#pragma once
// The normal form under which two texts count as "the same" for duplicate and leakage checks:
// case folded (ASCII and Latin-1 letters), punctuation removed (ASCII and CJK), white space
// collapsed to single spaces and trimmed. Full-width ASCII becomes ASCII. Without ICU, other
// scripts are compared as written.
#include <string>
#include <string_view>

namespace fts::data {

std::string normalizeForDuplicates(std::string_view utf8);

}  // namespace fts::data
