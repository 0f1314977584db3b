#pragma once
// N-gram overlap between texts: finds where a text shares a run of words (or of CJK characters)
// with any of a set of indexed texts. Used to keep evaluation text out of pretraining data
// (`ftstudio data overlap`, projects/base-model/prepare-corpus.sh) and usable for any leakage check.
//
// Units. A text is normalised as normalizeForDuplicates() does (case folded, punctuation removed,
// full-width ASCII made ASCII) and cut into two streams of units:
//   words: runs of non-CJK letters and digits (what lies between spaces and punctuation);
//   chars: CJK characters, one unit each (CJK punctuation and symbols ignored).
// Each stream skips the other script, so "床前 Debian 明月" has the chars 床前明月 and the word
// "debian". A match is a run of consecutive units of one stream, equal in both texts.
//
// Sizes (the defaults, measured on this project's data: the fortune quotations and Tang/Song poems
// against 145k documents of GCIDE, FOLDOC, Jargon, the KJV and fortunes-zh `chinese`):
//   8 words: every shared 8-word run found was a real quotation ("Any sufficiently advanced
//     technology is indistinguishable from magic", a KJV verse quoted in a fortune); at 7 and 6
//     words stock phrases appear ("once upon a time there was", "in such a way as to"). 8 words flag
//     44 documents; the common 13-word rule flags 12: most quotations are shorter than 13 words.
//   10 CJK characters: a couplet of five-character verse, the shortest unit that is quoted from a
//     poem. 12 characters found 130 documents of `chinese` quoting a Tang or Song poem, 10 found 206,
//     every one a real quotation (夜雨剪春韭，新炊间黄粱 is 10).
// Short texts. A text with fewer units than n in one script (and none of the other) cannot share
// an n-gram, so it counts as overlapping when it appears whole, as consecutive units, in the other
// text, provided it has at least ceil(n/2) units ("System going down in 5 minutes." is a whole
// fortune; four words make a quotation, two do not).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fts::data {

struct OverlapOptions {
  int ngramWords = 8;   // words in a shared run (space-separated scripts)
  int ngramChars = 10;  // CJK characters in a shared run
  // A text shorter than the n-gram (in one script only) matches when it appears whole and has at
  // least this many units; 0: ceil(n/2).
  int minShortWords = 0;
  int minShortChars = 0;
};

enum class OverlapUnit { Words, Chars };
const char* toString(OverlapUnit unit);

// One unit of a text: its normalised form's hash and where it lies in the original text.
struct OverlapToken {
  std::uint64_t hash = 0;
  std::uint32_t begin = 0, end = 0;  // byte range in the original text
};

struct OverlapStreams {
  std::vector<OverlapToken> words, chars;
};

// The two unit streams of a text (see the top of this file). Invalid UTF-8 decodes to U+FFFD.
OverlapStreams overlapUnits(std::string_view text);

struct OverlapMatch {
  std::size_t against = 0;            // id of the indexed text (the order of OverlapIndex::add)
  OverlapUnit unit = OverlapUnit::Words;
  int units = 0;                      // length of the shared run
  std::size_t begin = 0, end = 0;     // byte range of the run in the text searched
  std::size_t againstBegin = 0, againstEnd = 0;  // byte range of the run in the indexed text
};

// The texts to check against (evaluation data), indexed by their n-grams. Searching a text finds
// every indexed text it overlaps, each once, with the longest shared run.
class OverlapIndex {
 public:
  explicit OverlapIndex(OverlapOptions options = {});

  // Indexes a text; returns its id (0, 1, 2, ...). The text itself is not kept.
  std::size_t add(std::string_view text);
  std::size_t size() const { return texts_.size(); }
  const OverlapOptions& options() const { return options_; }

  // Every indexed text that shares a run with `text`, ordered by id. When a pair shares runs in
  // both streams, the one covering more bytes of `text` is reported.
  std::vector<OverlapMatch> find(std::string_view text) const;

 private:
  struct Posting {
    std::uint32_t text = 0;
    std::uint32_t position = 0;  // first unit of the window in that text's stream
  };
  using Table = std::unordered_map<std::uint64_t, std::vector<Posting>>;
  struct Stream {
    int n = 0;         // n-gram size
    int minShort = 0;  // smallest whole short text that counts
    Table windows;     // windows of n units of every indexed text
    // For short texts searched: windows of each length in [minShort, n) of every indexed text.
    std::vector<Table> shorterWindows;
    // Indexed short texts (one script only, minShort <= length < n), by length: the whole stream.
    std::vector<Table> wholeShort;
  };
  struct Indexed {
    std::vector<OverlapToken> words, chars;  // hashes and byte offsets, for checks and reports
  };

  void indexStream(Stream& s, const std::vector<OverlapToken>& units, bool singleScript, std::uint32_t id);
  void searchStream(const Stream& s, OverlapUnit unit, const std::vector<OverlapToken>& units, bool singleScript,
                    std::vector<OverlapMatch>& best) const;
  const std::vector<OverlapToken>& unitsOf(std::uint32_t id, OverlapUnit unit) const;

  OverlapOptions options_;
  Stream words_, chars_;
  std::vector<Indexed> texts_;
};

}  // namespace fts::data
