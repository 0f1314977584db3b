#include "core/data/Overlap.h"

#include "core/data/Hash64.h"
#include "core/data/TextMeasure.h"
#include "core/data/TextNormalization.h"
#include "core/data/Utf8.h"

#include <algorithm>
#include <stdexcept>

namespace fts::data {
namespace {

constexpr std::uint64_t kWordSeed = 0x776f726473ull;  // "words"
constexpr std::uint64_t kCharSeed = 0x6368617273ull;  // "chars"
constexpr std::uint64_t kBase = 0x100000001B3ull * 0x9E3779B97F4A7C15ull | 1;  // odd: invertible mod 2^64

// CJK code points that normalizeForDuplicates keeps but that are not characters of words: the rest
// of the CJK symbols block (〒, 〓, 〜, 〰 ...) and the half-width punctuation 。「」、・.
bool isCjkSymbol(char32_t c) {
  if (c >= 0x3000 && c <= 0x303F)
    return !(c == 0x3005 || c == 0x3006 || c == 0x3007 || (c >= 0x3021 && c <= 0x3029) ||  // 々 〆 〇, numerals
             (c >= 0x3031 && c <= 0x3035) || (c >= 0x3038 && c <= 0x303C));                 // kana repeat marks
  return (c >= 0xFF5F && c <= 0xFF65) || (c >= 0xFFE0 && c <= 0xFFEE);
}

bool isAsciiAlnum(std::string_view s) {
  for (unsigned char b : s)
    if (!((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))) return false;
  return true;
}

// Cuts one space-free chunk of text (bytes [from, to) of `text`) into units.
void chunkUnits(std::string_view text, std::size_t from, std::size_t to, OverlapStreams& out) {
  const std::string_view chunk = text.substr(from, to - from);
  if (isAsciiAlnum(chunk)) {  // the common case: one plain word
    const std::string normal = normalizeForDuplicates(chunk);
    out.words.push_back({hash64(normal, kWordSeed), static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to)});
    return;
  }
  std::string word;
  std::size_t wordBegin = 0, wordEnd = 0;
  auto endWord = [&] {
    if (word.empty()) return;
    out.words.push_back({hash64(word, kWordSeed), static_cast<std::uint32_t>(wordBegin), static_cast<std::uint32_t>(wordEnd)});
    word.clear();
  };
  std::size_t i = from;
  while (i < to) {
    const std::size_t begin = i;
    decodeUtf8(text, i);
    // Each code point normalised on its own: the same rules, with its bytes in the original known.
    const std::string normal = normalizeForDuplicates(text.substr(begin, i - begin));
    if (normal.empty()) {  // punctuation
      endWord();
      continue;
    }
    std::size_t k = 0;
    const char32_t c = decodeUtf8(normal, k);
    if (isCjk(c)) {
      endWord();
      if (!isCjkSymbol(c))
        out.chars.push_back({hash64(normal, kCharSeed), static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(i)});
      continue;
    }
    if (word.empty()) wordBegin = begin;
    word += normal;
    wordEnd = i;
  }
  endWord();
}

// Calls f(position, hash) for every window of `length` units, hashing by a rolling polynomial.
template <typename F>
void forEachWindow(const std::vector<OverlapToken>& units, int length, F&& f) {
  const std::size_t n = static_cast<std::size_t>(length);
  if (n == 0 || units.size() < n) return;
  std::uint64_t top = 1;  // kBase^(n-1)
  for (std::size_t k = 1; k < n; ++k) top *= kBase;
  std::uint64_t h = 0;
  for (std::size_t k = 0; k < n; ++k) h = h * kBase + units[k].hash;
  f(std::size_t{0}, h);
  for (std::size_t i = 1; i + n <= units.size(); ++i) {
    h = (h - units[i - 1].hash * top) * kBase + units[i + n - 1].hash;
    f(i, h);
  }
}

bool sameUnits(const std::vector<OverlapToken>& a, std::size_t i, const std::vector<OverlapToken>& b, std::size_t j,
               std::size_t n) {
  for (std::size_t k = 0; k < n; ++k)
    if (a[i + k].hash != b[j + k].hash) return false;
  return true;
}

int defaultMinShort(int n, int chosen) { return chosen > 0 ? std::min(chosen, n) : (n + 1) / 2; }

// A stream counts as a whole short text when it is shorter than n, long enough to mean something,
// and the text holds (almost) nothing of the other script.
bool isWholeShort(std::size_t size, int n, int minShort, std::size_t otherSize, int otherMinShort) {
  return size < static_cast<std::size_t>(n) && size >= static_cast<std::size_t>(minShort) &&
         otherSize < static_cast<std::size_t>(otherMinShort);
}

}  // namespace

const char* toString(OverlapUnit unit) { return unit == OverlapUnit::Words ? "words" : "chars"; }

OverlapStreams overlapUnits(std::string_view text) {
  if (text.size() > UINT32_MAX) throw std::length_error("overlapUnits: text longer than 4 GiB");
  OverlapStreams out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t begin = i;
    if (isSpace(decodeUtf8(text, i))) continue;
    std::size_t end = i;
    while (end < text.size()) {
      std::size_t next = end;
      if (isSpace(decodeUtf8(text, next))) break;
      end = next;
    }
    chunkUnits(text, begin, end, out);
    i = end;
  }
  return out;
}

OverlapIndex::OverlapIndex(OverlapOptions options) : options_(options) {
  if (options_.ngramWords < 1 || options_.ngramChars < 1)
    throw std::invalid_argument("overlap: n-gram sizes must be at least 1");
  words_.n = options_.ngramWords;
  chars_.n = options_.ngramChars;
  words_.minShort = defaultMinShort(words_.n, options_.minShortWords);
  chars_.minShort = defaultMinShort(chars_.n, options_.minShortChars);
  for (Stream* s : {&words_, &chars_}) {
    s->shorterWindows.resize(static_cast<std::size_t>(s->n - s->minShort));
    s->wholeShort.resize(static_cast<std::size_t>(s->n - s->minShort));
  }
}

void OverlapIndex::indexStream(Stream& s, const std::vector<OverlapToken>& units, bool wholeShort, std::uint32_t id) {
  forEachWindow(units, s.n, [&](std::size_t pos, std::uint64_t h) {
    s.windows[h].push_back({id, static_cast<std::uint32_t>(pos)});
  });
  for (int length = s.minShort; length < s.n; ++length) {
    Table& t = s.shorterWindows[static_cast<std::size_t>(length - s.minShort)];
    forEachWindow(units, length, [&](std::size_t pos, std::uint64_t h) { t[h].push_back({id, static_cast<std::uint32_t>(pos)}); });
  }
  if (wholeShort) {
    const int length = static_cast<int>(units.size());
    forEachWindow(units, length, [&](std::size_t, std::uint64_t h) {
      s.wholeShort[static_cast<std::size_t>(length - s.minShort)][h].push_back({id, 0});
    });
  }
}

std::size_t OverlapIndex::add(std::string_view text) {
  if (texts_.size() >= UINT32_MAX) throw std::length_error("overlap: too many texts to index");
  const auto id = static_cast<std::uint32_t>(texts_.size());
  OverlapStreams units = overlapUnits(text);
  indexStream(words_, units.words, isWholeShort(units.words.size(), words_.n, words_.minShort, units.chars.size(), chars_.minShort), id);
  indexStream(chars_, units.chars, isWholeShort(units.chars.size(), chars_.n, chars_.minShort, units.words.size(), words_.minShort), id);
  texts_.push_back({std::move(units.words), std::move(units.chars)});
  return id;
}

const std::vector<OverlapToken>& OverlapIndex::unitsOf(std::uint32_t id, OverlapUnit unit) const {
  return unit == OverlapUnit::Words ? texts_[id].words : texts_[id].chars;
}

void OverlapIndex::searchStream(const Stream& s, OverlapUnit unit, const std::vector<OverlapToken>& units, bool wholeShort,
                                std::vector<OverlapMatch>& found) const {
  auto record = [&](std::uint32_t id, std::size_t i, std::size_t j, std::size_t length) {
    const auto& other = unitsOf(id, unit);
    OverlapMatch m;
    m.against = id;
    m.unit = unit;
    m.units = static_cast<int>(length);
    m.begin = units[i].begin;
    m.end = units[i + length - 1].end;
    m.againstBegin = other[j].begin;
    m.againstEnd = other[j + length - 1].end;
    found.push_back(m);
  };

  // Runs of n-gram windows: consecutive query positions i, i+1, ... matching j, j+1, ... in one
  // indexed text (one diagonal) form a single shared run of n + (windows - 1) units.
  struct Run {
    std::size_t start = 0, last = 0, startJ = 0;
  };
  std::unordered_map<std::uint64_t, Run> runs;  // key: text id and diagonal
  std::vector<std::pair<std::uint32_t, Run>> finished;
  const std::size_t n = static_cast<std::size_t>(s.n);
  forEachWindow(units, s.n, [&](std::size_t i, std::uint64_t h) {
    const auto it = s.windows.find(h);
    if (it == s.windows.end()) return;
    for (const Posting& p : it->second) {
      if (!sameUnits(units, i, unitsOf(p.text, unit), p.position, n)) continue;  // a hash collision
      const std::uint64_t key = (std::uint64_t{p.text} << 32) ^ (static_cast<std::uint64_t>(p.position - i) & 0xFFFFFFFFull);
      auto [r, fresh] = runs.try_emplace(key, Run{i, i, p.position});
      if (!fresh) {
        if (r->second.last + 1 == i) {
          r->second.last = i;
        } else {
          finished.emplace_back(p.text, r->second);
          r->second = Run{i, i, p.position};
        }
      }
    }
  });
  for (const auto& [key, run] : runs) finished.emplace_back(static_cast<std::uint32_t>(key >> 32), run);
  for (const auto& [id, run] : finished) record(id, run.start, run.startJ, run.last - run.start + n);

  // Indexed short texts appearing whole in the query.
  for (int length = s.minShort; length < s.n; ++length) {
    const Table& t = s.wholeShort[static_cast<std::size_t>(length - s.minShort)];
    if (t.empty()) continue;
    forEachWindow(units, length, [&](std::size_t i, std::uint64_t h) {
      const auto it = t.find(h);
      if (it == t.end()) return;
      for (const Posting& p : it->second)
        if (sameUnits(units, i, unitsOf(p.text, unit), 0, static_cast<std::size_t>(length))) record(p.text, i, 0, length);
    });
  }

  // A short query appearing whole in an indexed text.
  if (wholeShort) {
    const int length = static_cast<int>(units.size());
    const Table& t = s.shorterWindows[static_cast<std::size_t>(length - s.minShort)];
    forEachWindow(units, length, [&](std::size_t, std::uint64_t h) {
      const auto it = t.find(h);
      if (it == t.end()) return;
      for (const Posting& p : it->second)
        if (sameUnits(units, 0, unitsOf(p.text, unit), p.position, units.size())) record(p.text, 0, p.position, units.size());
    });
  }
}

std::vector<OverlapMatch> OverlapIndex::find(std::string_view text) const {
  const OverlapStreams units = overlapUnits(text);
  std::vector<OverlapMatch> found;
  searchStream(words_, OverlapUnit::Words, units.words,
               isWholeShort(units.words.size(), words_.n, words_.minShort, units.chars.size(), chars_.minShort), found);
  searchStream(chars_, OverlapUnit::Chars, units.chars,
               isWholeShort(units.chars.size(), chars_.n, chars_.minShort, units.words.size(), words_.minShort), found);
  // One match per indexed text: the one covering the most bytes of the query, then the earliest.
  std::sort(found.begin(), found.end(), [](const OverlapMatch& a, const OverlapMatch& b) {
    if (a.against != b.against) return a.against < b.against;
    if (a.end - a.begin != b.end - b.begin) return a.end - a.begin > b.end - b.begin;
    return a.begin < b.begin;
  });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const OverlapMatch& a, const OverlapMatch& b) { return a.against == b.against; }),
              found.end());
  return found;
}

}  // namespace fts::data
