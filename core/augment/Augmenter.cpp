#include "core/augment/Augmenter.h"

#include "core/augment/CharacterNoise.h"
#include "core/data/SeededShuffle.h"
#include "core/data/Utf8.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace fts::augment {
namespace {

constexpr std::string_view kEnglishMarks[] = {".", ";", "?", ":", "!", ","};
// ，。！？；： (full-width, as Chinese text writes them)
constexpr std::string_view kChineseMarks[] = {"\xEF\xBC\x8C", "\xE3\x80\x82", "\xEF\xBC\x81",
                                              "\xEF\xBC\x9F", "\xEF\xBC\x9B", "\xEF\xBC\x9A"};

// Purposes for data::deriveSeed, so the streams of one sample never coincide.
constexpr std::uint64_t kVariantStream = 0x61756731;  // "aug1"

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Equal but for the case of ASCII letters ("Glad" and "glad" are no change of word).
bool sameWordIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  return true;
}

// The synonym written the way the word was: "Happy" -> "Glad", "HAPPY" -> "GLAD".
std::string matchCase(std::string_view original, std::string replacement) {
  bool allUpper = original.size() > 1, firstUpper = !original.empty() && original[0] >= 'A' && original[0] <= 'Z';
  for (char c : original)
    if (!(c >= 'A' && c <= 'Z')) allUpper = false;
  if (allUpper) {
    for (char& c : replacement)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  } else if (firstUpper && !replacement.empty() && replacement[0] >= 'a' && replacement[0] <= 'z') {
    replacement[0] = static_cast<char>(replacement[0] - 'a' + 'A');
  }
  return replacement;
}

Edit makeEdit(Operation op, int word, std::string_view text, std::size_t begin, std::size_t end, std::string newToken,
              std::string from) {
  Edit e;
  e.op = op;
  e.wordIndex = word;
  e.sourceBegin = begin;
  e.sourceEnd = end;
  e.oldToken.assign(text.substr(begin, end - begin));
  e.newToken = std::move(newToken);
  e.from = std::move(from);
  return e;
}

// k distinct items of `items`, in a seeded order (partial Fisher-Yates).
template <typename T>
std::vector<T> sample(std::vector<T> items, std::size_t k, data::SeededRandom& rng) {
  k = std::min(k, items.size());
  for (std::size_t i = 0; i < k; ++i) std::swap(items[i], items[i + rng.below(items.size() - i)]);
  items.resize(k);
  return items;
}

}  // namespace

struct Augmenter::Prepared {
  SplitText split;
  std::vector<Span> protectedSpans;
  std::vector<int> eligible;          // words that may change: not stop words, not protected
  std::vector<int> insertionPoints;   // k: before word k (k == words: after the last), outside protected spans
  const char* separator = " ";        // between inserted words and their neighbours ("" in Chinese)
  std::size_t words() const { return split.words.size(); }
};

Augmenter::Augmenter(AugmentOptions options, AugmentResources resources)
    : options_(std::move(options)), resources_(std::move(resources)), protect_(options_.protect) {
  if (options_.ops.empty()) throw std::invalid_argument("augmentation needs at least one operation");
  if (options_.variants < 0) throw std::invalid_argument("the number of variants must be 0 or more");
  if (!(options_.maxChangedShare > 0 && options_.maxChangedShare <= 1))
    throw std::invalid_argument("the largest share of changed words must be in (0, 1]");
  options_.attempts = std::max(1, options_.attempts);
}

std::size_t Augmenter::wordsToChange(double rate, std::size_t words) const {
  if (words == 0) return 0;
  const auto n = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(rate * static_cast<double>(words))));
  const auto cap = std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(options_.maxChangedShare * static_cast<double>(words))));
  return std::min(n, cap);
}

Augmenter::Prepared Augmenter::prepare(std::string_view text) const {
  Prepared p;
  p.split = threadWordSplitter().split(text, options_.language);
  p.protectedSpans = protect_.find(text);
  const bool chinese = p.split.language == Language::Chinese;
  p.separator = chinese ? "" : " ";
  const StopWords& stop = chinese ? resources_.chinese : resources_.english;
  const auto& words = p.split.words;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].number || overlaps(p.protectedSpans, words[i].begin, words[i].end)) continue;
    if (stop.contains(p.split.word(i))) continue;
    p.eligible.push_back(static_cast<int>(i));
  }
  for (std::size_t k = 0; k <= words.size() && !words.empty(); ++k) {
    const std::size_t at = k < words.size() ? words[k].begin : words.back().end;
    if (!inside(p.protectedSpans, at)) p.insertionPoints.push_back(static_cast<int>(k));
  }
  return p;
}

std::optional<ChangeLog> Augmenter::run(Operation op, double rate, const Prepared& p, data::SeededRandom& rng) const {
  if (p.words() == 0) return std::nullopt;
  switch (op) {
    case Operation::SynonymReplacement: return synonymReplacement(rate, p, rng);
    case Operation::RandomInsertion: return randomInsertion(rate, p, rng);
    case Operation::RandomSwap: return randomSwap(rate, p, rng);
    case Operation::RandomDeletion: return randomDeletion(rate, p, rng);
    case Operation::Punctuation: return punctuation(rate, p, rng);
    case Operation::CharacterNoise: return characterNoise(rate, p, rng);
    case Operation::WordSubstitution: return std::nullopt;  // attacks make these, not augmentation
  }
  return std::nullopt;
}

// EDA: n words (not stop words), taken in a random order, each replaced by a random synonym.
std::optional<ChangeLog> Augmenter::synonymReplacement(double rate, const Prepared& p, data::SeededRandom& rng) const {
  if (resources_.synonyms.empty()) return std::nullopt;
  const std::size_t n = wordsToChange(rate, p.words());
  ChangeLog log;
  std::vector<int> order = sample(p.eligible, p.eligible.size(), rng);
  for (int i : order) {
    if (log.edits.size() >= n) break;
    const std::string_view word = p.split.word(i);
    auto candidates = resources_.synonyms.find(word);
    std::erase_if(candidates, [&](const Synonym& s) { return sameWordIgnoringCase(s.word, word); });
    if (candidates.empty()) continue;
    Synonym& s = candidates[rng.below(candidates.size())];
    const Word& w = p.split.words[i];
    log.edits.push_back(makeEdit(Operation::SynonymReplacement, i, p.split.text, w.begin, w.end, matchCase(word, s.word), s.from));
  }
  if (log.edits.empty()) return std::nullopt;
  return log;
}

// EDA: n times, a synonym of a random word of the sentence (not a stop word) inserted at a random place.
std::optional<ChangeLog> Augmenter::randomInsertion(double rate, const Prepared& p, data::SeededRandom& rng) const {
  if (resources_.synonyms.empty() || p.eligible.empty() || p.insertionPoints.empty()) return std::nullopt;
  const std::size_t n = wordsToChange(rate, p.words());
  ChangeLog log;
  for (std::size_t added = 0; added < n; ++added) {
    // EDA tries 10 random words for one with a synonym.
    for (int tries = 0; tries < 10; ++tries) {
      const int i = p.eligible[rng.below(p.eligible.size())];
      const std::string_view word = p.split.word(i);
      auto candidates = resources_.synonyms.find(word);
      std::erase_if(candidates, [&](const Synonym& s) { return sameWordIgnoringCase(s.word, word); });
      if (candidates.empty()) continue;
      const Synonym& s = candidates[rng.below(candidates.size())];
      const int k = p.insertionPoints[rng.below(p.insertionPoints.size())];
      if (k < static_cast<int>(p.words())) {
        const std::size_t at = p.split.words[k].begin;
        log.edits.push_back(makeEdit(Operation::RandomInsertion, k, p.split.text, at, at, s.word + p.separator, s.from));
      } else {
        const std::size_t at = p.split.words.back().end;
        log.edits.push_back(makeEdit(Operation::RandomInsertion, k, p.split.text, at, at, p.separator + s.word, s.from));
      }
      break;
    }
  }
  if (log.edits.empty()) return std::nullopt;
  return log;
}

// EDA: n times, two random words swap places. Stop words and protected words stay where they are.
std::optional<ChangeLog> Augmenter::randomSwap(double rate, const Prepared& p, data::SeededRandom& rng) const {
  if (p.eligible.size() < 2) return std::nullopt;
  const std::size_t n = wordsToChange(rate, p.words());
  std::vector<int> at(p.words());  // at[position] = source word now there
  for (std::size_t i = 0; i < at.size(); ++i) at[i] = static_cast<int>(i);
  for (std::size_t s = 0; s < n; ++s) {
    const auto two = sample(p.eligible, 2, rng);
    std::swap(at[two[0]], at[two[1]]);
  }
  ChangeLog log;
  for (int pos : p.eligible) {
    if (at[pos] == pos || p.split.word(at[pos]) == p.split.word(pos)) continue;
    const Word& w = p.split.words[pos];
    log.edits.push_back(makeEdit(Operation::RandomSwap, pos, p.split.text, w.begin, w.end, std::string(p.split.word(at[pos])), "swap"));
  }
  if (log.edits.empty()) return std::nullopt;
  // Swaps can move a word more than once: the share cap applies to the words that end up elsewhere,
  // and one swap (two words) is always allowed, as one changed word is for the other operations.
  const std::size_t cap = std::max<std::size_t>(2, static_cast<std::size_t>(std::floor(options_.maxChangedShare * p.words())));
  if (log.edits.size() > cap) return std::nullopt;
  return log;
}

// EDA's deletion with a count: n words (never all) removed with the space they leave behind.
std::optional<ChangeLog> Augmenter::randomDeletion(double rate, const Prepared& p, data::SeededRandom& rng) const {
  if (p.eligible.empty() || p.words() < 2) return std::nullopt;
  const std::size_t n = std::min(wordsToChange(rate, p.words()), p.words() - 1);
  auto chosen = sample(p.eligible, n, rng);
  std::sort(chosen.begin(), chosen.end());
  const std::string_view text = p.split.text;
  ChangeLog log;
  std::size_t lastEnd = 0;
  for (int i : chosen) {
    const Word& w = p.split.words[i];
    std::size_t b = w.begin, e = w.end;
    if (!w.cjk) {  // words between spaces (English, or a Latin word inside Chinese text)
      const bool spaceBefore = b > 0 && isAsciiSpace(text[b - 1]);
      const bool spaceAfter = e < text.size() && isAsciiSpace(text[e]);
      if (spaceAfter && (b == 0 || spaceBefore)) {
        while (e < text.size() && text[e] == ' ') ++e;
        if (e == w.end) ++e;  // a tab or a newline: take just that one
      } else if (spaceBefore) {
        while (b > 0 && text[b - 1] == ' ') --b;
        if (b == w.begin) --b;
      }
      b = std::max(b, lastEnd);
      if (overlaps(p.protectedSpans, b, e)) b = std::max(w.begin, lastEnd), e = w.end;
    }
    log.edits.push_back(makeEdit(Operation::RandomDeletion, i, text, b, e, "", "delete"));
    lastEnd = e;
  }
  if (log.edits.empty()) return std::nullopt;
  return log;
}

// AEDA: between 1 and rate x words punctuation marks, each before a different word.
std::optional<ChangeLog> Augmenter::punctuation(double rate, const Prepared& p, data::SeededRandom& rng) const {
  std::vector<int> points;
  for (int k : p.insertionPoints)
    if (k < static_cast<int>(p.words())) points.push_back(k);
  if (points.empty()) return std::nullopt;
  const std::size_t most = wordsToChange(rate, p.words());
  const std::size_t count = 1 + rng.below(most);
  const bool chinese = p.split.language == Language::Chinese;
  ChangeLog log;
  for (int k : sample(points, count, rng)) {
    const std::string_view mark = chinese ? kChineseMarks[rng.below(6)] : kEnglishMarks[rng.below(6)];
    const std::size_t at = p.split.words[k].begin;
    log.edits.push_back(makeEdit(Operation::Punctuation, k, p.split.text, at, at, std::string(mark) + p.separator, "punctuation"));
  }
  return log;
}

// Typos: each eligible word with probability `rate` (at least one word, at most the share cap).
std::optional<ChangeLog> Augmenter::characterNoise(double rate, const Prepared& p, data::SeededRandom& rng) const {
  std::vector<std::string_view> sampleChars;  // CJK characters of the sample, for Chinese insertions
  if (p.split.language == Language::Chinese)
    for (auto c : codePoints(p.split.text)) {
      std::size_t i = 0;
      const char32_t cp = data::decodeUtf8(c, i);
      // Ideographs and kana only: CJK punctuation (U+3000-303F) and full-width forms (U+FF00-FFEF) are not characters of a word.
      const bool punctuation = (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF);
      if (data::isCjk(cp) && !punctuation) sampleChars.push_back(c);
    }
  std::vector<int> candidates;
  for (int i : p.eligible)
    if (p.split.words[i].cjk || codePoints(p.split.word(i)).size() >= 3) candidates.push_back(i);
  if (candidates.empty()) return std::nullopt;
  std::vector<int> chosen;
  for (int i : candidates)
    if (static_cast<double>(rng.next() >> 11) * 0x1.0p-53 < rate) chosen.push_back(i);
  if (chosen.empty()) chosen.push_back(candidates[rng.below(candidates.size())]);
  const std::size_t cap = wordsToChange(1.0, p.words());
  if (chosen.size() > cap) {
    chosen = sample(chosen, cap, rng);
    std::sort(chosen.begin(), chosen.end());
  }
  ChangeLog log;
  for (int i : chosen) {
    const Word& w = p.split.words[i];
    const auto noisy = w.cjk ? noisyCjkWord(p.split.word(i), sampleChars, rng) : noisyLatinWord(p.split.word(i), rng);
    if (!noisy) continue;
    log.edits.push_back(makeEdit(Operation::CharacterNoise, i, p.split.text, w.begin, w.end, noisy->word, noisy->kind));
  }
  if (log.edits.empty()) return std::nullopt;
  return log;
}

std::optional<Variant> Augmenter::applyOnce(Operation op, double rate, std::string_view text, data::SeededRandom& rng) const {
  const Prepared p = prepare(text);
  auto log = run(op, rate, p, rng);
  if (!log) return std::nullopt;
  Variant v;
  v.ops = {op};
  v.output = finishChangeLog(text, *log);
  v.log = std::move(*log);
  return v;
}

std::vector<Variant> Augmenter::augment(std::string_view text, const SampleKey& key) const {
  std::vector<Variant> out;
  if (options_.variants == 0) return out;
  const Prepared p = prepare(text);
  if (p.words() == 0) return out;
  const std::uint64_t sampleSeed = data::deriveSeed(key.seed, kVariantStream + key.epoch, static_cast<std::uint64_t>(key.row));
  const std::size_t nops = options_.ops.size();
  // Where the rotation over the operations starts, drawn per sample: with fewer variants than
  // operations, every operation still gets its share of the data set.
  const std::size_t first = sampleSeed % nops;
  for (int k = 0; k < options_.variants; ++k) {
    for (int a = 0; a < options_.attempts; ++a) {
      // The variant's own operation first; after half the attempts, the others in turn.
      const std::size_t opIndex = (first + k + (a < (options_.attempts + 1) / 2 ? 0 : a)) % nops;
      const OperationRate& o = options_.ops[opIndex];
      data::SeededRandom rng(data::deriveSeed(sampleSeed, static_cast<std::uint64_t>(k), static_cast<std::uint64_t>(a)));
      auto log = run(o.op, o.rate, p, rng);
      if (!log) continue;
      std::string output = finishChangeLog(text, *log);
      if (output == text || std::any_of(out.begin(), out.end(), [&](const Variant& v) { return v.output == output; })) continue;
      Variant v;
      v.sourceRow = key.row;
      v.index = static_cast<int>(out.size());
      v.ops = {o.op};
      v.output = std::move(output);
      v.log = std::move(*log);
      out.push_back(std::move(v));
      break;
    }
  }
  return out;
}

}  // namespace fts::augment
