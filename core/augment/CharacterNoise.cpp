#include "core/augment/CharacterNoise.h"

#include "core/data/SeededShuffle.h"
#include "core/data/Utf8.h"

namespace fts::augment {
namespace {

bool isAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string join(const std::vector<std::string_view>& parts) {
  std::string out;
  for (auto p : parts) out.append(p);
  return out;
}

}  // namespace

std::string_view keyboardNeighbours(char c) {
  // Keys touching each letter on a US QWERTY keyboard (rows offset as on a real one).
  static constexpr std::string_view kNeighbours[26] = {
      "qwsz",   "vghn",  "xdfv",  "serfcx", "wsdr",  "drtgvc", "ftyhbv", "gyujnb", "ujko",
      "huikmn", "jiolm", "kop",   "njk",    "bhjm",  "iklp",   "ol",     "wa",     "edft",
      "awedxz", "rfgy",  "yhji",  "cfgb",   "qase",  "zsdc",   "tghu",   "asx"};
  if (c < 'a' || c > 'z') return {};
  return kNeighbours[c - 'a'];
}

std::vector<std::string_view> codePoints(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t begin = i;
    data::decodeUtf8(text, i);
    out.push_back(text.substr(begin, i - begin));
  }
  return out;
}

std::optional<NoisyWord> noisyLatinWord(std::string_view word, data::SeededRandom& rng) {
  auto chars = codePoints(word);
  if (chars.size() < 3) return std::nullopt;
  // The kinds that can change this word, drawn uniformly.
  std::vector<int> letterPositions, swapPositions;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (chars[i].size() == 1 && isAsciiLetter(chars[i][0])) letterPositions.push_back(static_cast<int>(i));
    if (i + 1 < chars.size() && chars[i] != chars[i + 1]) swapPositions.push_back(static_cast<int>(i));
  }
  enum Kind { Keyboard, Swap, Delete, Insert };
  std::vector<Kind> kinds = {Delete, Insert};
  if (!letterPositions.empty()) kinds.push_back(Keyboard);
  if (!swapPositions.empty()) kinds.push_back(Swap);
  const Kind kind = kinds[rng.below(kinds.size())];
  std::string one;  // storage for a new character
  NoisyWord out;
  switch (kind) {
    case Keyboard: {
      const int at = letterPositions[rng.below(letterPositions.size())];
      const char c = chars[at][0];
      const bool upper = c >= 'A' && c <= 'Z';
      const auto keys = keyboardNeighbours(upper ? static_cast<char>(c - 'A' + 'a') : c);
      char k = keys[rng.below(keys.size())];
      if (upper) k = static_cast<char>(k - 'a' + 'A');
      one.assign(1, k);
      chars[at] = one;
      out.kind = "keyboard";
      break;
    }
    case Swap: {
      const int at = swapPositions[rng.below(swapPositions.size())];
      std::swap(chars[at], chars[at + 1]);
      out.kind = "swap";
      break;
    }
    case Delete: {
      // Not the first character: the word stays recognisable (as typos mostly are).
      chars.erase(chars.begin() + 1 + static_cast<long>(rng.below(chars.size() - 1)));
      out.kind = "delete";
      break;
    }
    case Insert: {
      one.assign(1, static_cast<char>('a' + rng.below(26)));
      chars.insert(chars.begin() + 1 + static_cast<long>(rng.below(chars.size())), one);
      out.kind = "insert";
      break;
    }
  }
  out.word = join(chars);
  if (out.word == word) return std::nullopt;  // cannot happen by construction; kept as a guard
  return out;
}

std::optional<NoisyWord> noisyCjkWord(std::string_view word, const std::vector<std::string_view>& sampleChars,
                                      data::SeededRandom& rng) {
  auto chars = codePoints(word);
  if (chars.empty()) return std::nullopt;
  std::vector<int> swapPositions;
  for (std::size_t i = 0; i + 1 < chars.size(); ++i)
    if (chars[i] != chars[i + 1]) swapPositions.push_back(static_cast<int>(i));
  enum Kind { Delete, Swap, Insert };
  std::vector<Kind> kinds;
  if (chars.size() >= 2) kinds.push_back(Delete);
  if (!swapPositions.empty()) kinds.push_back(Swap);
  if (!sampleChars.empty()) kinds.push_back(Insert);
  if (kinds.empty()) return std::nullopt;
  NoisyWord out;
  switch (kinds[rng.below(kinds.size())]) {
    case Delete:
      chars.erase(chars.begin() + static_cast<long>(rng.below(chars.size())));
      out.kind = "delete";
      break;
    case Swap: {
      const int at = swapPositions[rng.below(swapPositions.size())];
      std::swap(chars[at], chars[at + 1]);
      out.kind = "swap";
      break;
    }
    case Insert:
      chars.insert(chars.begin() + static_cast<long>(rng.below(chars.size() + 1)), sampleChars[rng.below(sampleChars.size())]);
      out.kind = "sample";
      break;
  }
  out.word = join(chars);
  if (out.word == word) return std::nullopt;
  return out;
}

}  // namespace fts::augment
