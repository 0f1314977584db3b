#include "core/text/HfPreTokenizer.h"

#include "core/text/HfNormalizer.h"
#include "core/text/Utf8.h"

#include <unicode/uchar.h>

#include <functional>

namespace fts {
namespace {

using Kind = HfPreTokenizerStep::Kind;

// A stretch of one word, and whether the split pattern matched it.
struct Span {
  std::size_t begin, end;
  bool match;
};

// Cuts `s` at the matches of `matches` ([begin, end) pairs, ascending), keeping the gaps too.
std::vector<Span> spansOf(std::string_view s, const std::vector<std::pair<std::size_t, std::size_t>>& matches) {
  std::vector<Span> spans;
  spans.reserve(matches.size() * 2 + 1);
  std::size_t prev = 0;
  for (const auto& [b, e] : matches) {
    if (b > prev) spans.push_back({prev, b, false});
    spans.push_back({b, e, true});
    prev = e;
  }
  if (prev < s.size()) spans.push_back({prev, s.size(), false});
  return spans;
}

// Every code point for which `pred` holds is a match of its own (tokenizers' Pattern for char
// predicates); the runs between them are gaps.
std::vector<std::pair<std::size_t, std::size_t>> charMatches(std::string_view s, const std::function<bool(char32_t)>& pred) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t at = i;
    if (pred(utf8::next(s, i))) out.emplace_back(at, i);
  }
  return out;
}

std::vector<std::pair<std::size_t, std::size_t>> literalMatches(std::string_view s, std::string_view literal) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  if (literal.empty()) return out;
  for (std::size_t at = s.find(literal); at != std::string_view::npos; at = s.find(literal, at + literal.size()))
    out.emplace_back(at, at + literal.size());
  return out;
}

// The split behaviours, as tokenizers' NormalizedString::split applies them.
std::vector<Span> applyBehavior(std::vector<Span> spans, HfSplitBehavior behavior, bool invert) {
  if (invert)
    for (auto& sp : spans) sp.match = !sp.match;
  std::vector<Span> out;
  out.reserve(spans.size());
  switch (behavior) {
    case HfSplitBehavior::Isolated: return spans;
    case HfSplitBehavior::Removed:
      for (const auto& sp : spans)
        if (!sp.match) out.push_back(sp);
      return out;
    case HfSplitBehavior::MergedWithPrevious: {
      bool previousMatch = false;
      for (const auto& sp : spans) {
        if (sp.match && !previousMatch && !out.empty()) out.back().end = sp.end;
        else out.push_back({sp.begin, sp.end, false});
        previousMatch = sp.match;
      }
      return out;
    }
    case HfSplitBehavior::MergedWithNext: {
      bool previousMatch = false;  // of the span after this one: walked from the end
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->match && !previousMatch && !out.empty()) out.back().begin = it->begin;
        else out.push_back({it->begin, it->end, false});
        previousMatch = it->match;
      }
      return {out.rbegin(), out.rend()};
    }
    case HfSplitBehavior::Contiguous: {
      bool previousMatch = false;
      for (const auto& sp : spans) {
        if (sp.match == previousMatch && !out.empty()) out.back().end = sp.end;
        else out.push_back({sp.begin, sp.end, false});
        previousMatch = sp.match;
      }
      return out;
    }
  }
  return spans;
}

void splitInto(std::vector<std::string>& out, std::string_view word, const std::vector<std::pair<std::size_t, std::size_t>>& matches,
               HfSplitBehavior behavior, bool invert) {
  for (const auto& sp : applyBehavior(spansOf(word, matches), behavior, invert))
    if (sp.end > sp.begin) out.emplace_back(word.substr(sp.begin, sp.end - sp.begin));
}

bool isRustNumeric(char32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  const auto mask = U_GET_GC_MASK(static_cast<UChar32>(cp));
  return (mask & (U_GC_ND_MASK | U_GC_NL_MASK | U_GC_NO_MASK)) != 0;
}

const Pcre2Regex& gpt2Regex() {
  static const Pcre2Regex re(kGpt2SplitPattern);
  return re;
}

// tokenizers' Whitespace pre-tokenizer keeps the matches of \w+|[^\w\s]+ (Oniguruma's \w: letters,
// marks, decimal digits, connector punctuation).
const Pcre2Regex& whitespaceRegex() {
  static const Pcre2Regex re(R"([\p{L}\p{M}\p{Nd}\p{Pc}]+|[^\p{L}\p{M}\p{Nd}\p{Pc}\s]+)");
  return re;
}

void applyStep(const HfPreTokenizerStep& step, const std::vector<std::string>& in, std::vector<std::string>& out) {
  out.clear();
  for (const std::string& word : in) {
    switch (step.kind) {
      case Kind::Bert: {
        // Whitespace removed, then every punctuation character a word of its own.
        std::vector<std::string> parts;
        splitInto(parts, word, charMatches(word, isUnicodeWhitespace), HfSplitBehavior::Removed, false);
        for (const auto& p : parts) splitInto(out, p, charMatches(p, isBertPunctuation), HfSplitBehavior::Isolated, false);
        break;
      }
      case Kind::WhitespaceSplit:
        splitInto(out, word, charMatches(word, isUnicodeWhitespace), HfSplitBehavior::Removed, false);
        break;
      case Kind::Whitespace:
        splitInto(out, word, whitespaceRegex().findAll(word), HfSplitBehavior::Removed, true);
        break;
      case Kind::Digits:
        splitInto(out, word, charMatches(word, isRustNumeric),
                  step.individualDigits ? HfSplitBehavior::Isolated : HfSplitBehavior::Contiguous, false);
        break;
      case Kind::Split:
        splitInto(out, word, step.regex ? step.regex->findAll(word) : literalMatches(word, step.literal), step.behavior, step.invert);
        break;
      case Kind::ByteLevel: {
        std::string prefixed;
        std::string_view w = word;
        if (step.addPrefixSpace && (w.empty() || w.front() != ' ')) {
          prefixed = " " + word;
          w = prefixed;
        }
        if (step.useRegex) {
          for (const auto& [b, e] : gpt2Regex().findAll(w)) out.push_back(toByteLevel(w.substr(b, e - b)));
        } else if (!w.empty()) {
          out.push_back(toByteLevel(w));
        }
        break;
      }
    }
  }
}

}  // namespace

void HfPreTokenizer::add(HfPreTokenizerStep step) { steps_.push_back(std::move(step)); }

std::vector<std::string> HfPreTokenizer::apply(std::string_view normalized) const {
  std::vector<std::string> words;
  if (normalized.empty()) return words;
  words.emplace_back(normalized);
  std::vector<std::string> next;
  for (const auto& step : steps_) {
    applyStep(step, words, next);
    words.swap(next);
  }
  return words;
}

const std::array<char32_t, 256>& byteLevelAlphabet() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t nextFree = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      t[b] = printable ? static_cast<char32_t>(b) : nextFree++;
    }
    return t;
  }();
  return table;
}

int byteLevelByte(char32_t cp) {
  static const std::array<int, 324> inverse = [] {
    std::array<int, 324> inv{};
    inv.fill(-1);
    const auto& t = byteLevelAlphabet();
    for (int b = 0; b < 256; ++b) inv[t[b]] = b;
    return inv;
  }();
  return cp < inverse.size() ? inverse[cp] : -1;
}

std::string toByteLevel(std::string_view bytes) {
  static const std::array<std::string, 256> utf8Of = [] {
    std::array<std::string, 256> u;
    for (int b = 0; b < 256; ++b) utf8::append(u[b], byteLevelAlphabet()[b]);
    return u;
  }();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) out += utf8Of[static_cast<unsigned char>(c)];
  return out;
}

}  // namespace fts
