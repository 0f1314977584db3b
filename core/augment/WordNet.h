#pragma once
// WordNet 3.0 read directly from its database files (Debian: wordnet-base, /usr/share/wordnet):
// index.{noun,verb,adj,adv} map a lemma to its synsets' byte offsets in data.*, whose lines list
// the synset's words; *.exc hold irregular forms (geese -> goose, went -> go) and the detachment
// rules of WordNet's morphy find regular base forms (dogs -> dog, running -> run).
// Used as a lexicon only: a data line is parsed up to its word list, the gloss is never read.
#include "core/augment/SynonymSource.h"

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fts::augment {

class WordNet {
 public:
  static constexpr const char* kDebianFolder = "/usr/share/wordnet";
  // Reads the index and exception files and keeps data.* in memory (about 30 MB). Throws
  // std::runtime_error naming FILE:LINE for a malformed line, or the missing file and the package.
  static WordNet load(const std::filesystem::path& folder = kDebianFolder);

  // Base forms of `word` in WordNet for `pos` (Unknown: any), the word itself first when it is a
  // lemma: exceptions, then morphy's suffix rules. Lowercase, spaces as '_'.
  std::vector<std::string> baseForms(std::string_view word, PartOfSpeech pos) const;
  // Words sharing a synset with a base form of `word`, in WordNet's order (most frequent sense
  // first), without the word itself; '_' becomes ' '. Thread-safe; answers are cached.
  std::vector<std::string> synonyms(std::string_view word, PartOfSpeech pos = PartOfSpeech::Unknown) const;
  bool isLemma(std::string_view lemma, PartOfSpeech pos) const;
  // The part of speech `word` most often has, by WordNet's counts of senses tagged in its
  // semantic concordance (index.*: tagsense_cnt), over its base forms: a tag for words whose tag is
  // not known ("fox": noun, "jumps": verb). Unknown when no sense of it was ever tagged.
  PartOfSpeech likelyPartOfSpeech(std::string_view word) const;
  std::size_t lemmaCount() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using Map = std::unordered_map<std::string, V, Hash, std::equal_to<>>;
  struct PosFiles {
    std::string dataPath;
    std::string data;                               // data.POS, whole
    struct Entry {
      std::vector<std::uint32_t> offsets;  // synsets' byte offsets into data
      std::uint32_t taggedSenses = 0;      // tagsense_cnt
    };
    Map<Entry> index;                                // lemma -> its synsets
    Map<std::vector<std::string>> exceptions;       // inflected form -> base forms
  };
  std::array<PosFiles, 4> pos_;  // noun, verb, adj, adv
  // Synonyms found so far, per part of speech (4: any) and lowercase word: augmentation asks for
  // the same common words again and again, and parsing their synset lines is most of a lookup.
  struct Cache {
    std::shared_mutex mutex;
    std::array<Map<std::vector<std::string>>, 5> byPos;
    Map<PartOfSpeech> likely;
  };
  std::unique_ptr<Cache> cache_ = std::make_unique<Cache>();

  std::vector<std::string> lookUp(std::string_view word, PartOfSpeech pos) const;
  void synsetWords(int pos, std::uint32_t offset, std::vector<std::string>& out) const;
};

// WordNet as a synonym source named "wordnet". A word without a known tag gets the synonyms of its
// likely part of speech (likelyPartOfSpeech), unless guessPartOfSpeech is false: "fox" in "the quick
// brown fox" then never becomes "confuse" (a verb sense).
class WordNetSynonyms : public SynonymSource {
 public:
  explicit WordNetSynonyms(std::shared_ptr<const WordNet> wordnet, bool guessPartOfSpeech = true)
      : wordnet_(std::move(wordnet)), guess_(guessPartOfSpeech) {}
  std::string name() const override { return "wordnet"; }
  void find(std::string_view word, PartOfSpeech pos, std::vector<std::string>& out) const override;

 private:
  std::shared_ptr<const WordNet> wordnet_;
  bool guess_;
};

}  // namespace fts::augment
