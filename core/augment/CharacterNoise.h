#pragma once
// Typos inside one word: a QWERTY keyboard neighbour for a letter, two neighbouring characters
// swapped, a character deleted, a letter inserted; for Chinese words, a character deleted, two
// swapped, or a character of the same sample inserted. Works on whole code points, never on bytes
// of a multi-byte character.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fts::data {
class SeededRandom;
}

namespace fts::augment {

struct NoisyWord {
  std::string word;
  const char* kind = "";  // "keyboard", "swap", "delete", "insert" (a letter) or "sample" (a character of the sample)
};

// The QWERTY neighbours of a lowercase ASCII letter ("" for anything else).
std::string_view keyboardNeighbours(char lower);

// A noisy form of an English (or other alphabetic) word that differs from it; nullopt when the
// word is too short (under 3 characters) to change safely.
std::optional<NoisyWord> noisyLatinWord(std::string_view word, data::SeededRandom& rng);

// A noisy form of a CJK word; `sampleChars` are the CJK characters of the whole sample (UTF-8,
// one each) that an insertion draws from.
std::optional<NoisyWord> noisyCjkWord(std::string_view word, const std::vector<std::string_view>& sampleChars,
                                      data::SeededRandom& rng);

// The code points of text as byte ranges (UTF-8 sequences).
std::vector<std::string_view> codePoints(std::string_view text);

}  // namespace fts::augment
