#pragma once
// Where synonyms come from: WordNet, a word-vector file, the user's synonym file, or (from the
// engine, later) the token-embedding space of the loaded model. Each replacement records the name
// of the source that proposed it.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fts::augment {

enum class PartOfSpeech { Unknown, Noun, Verb, Adjective, Adverb };

struct Synonym {
  std::string word;
  std::string from;  // the source's name, as recorded in the change log
};

class SynonymSource {
 public:
  virtual ~SynonymSource() = default;
  // Recorded in the change log ("wordnet", "vectors:glove.txt", "user:cilin.txt", ...).
  virtual std::string name() const = 0;
  // Appends synonyms of `word` (never `word` itself), best first. `pos` narrows them when the
  // word's tag is known. Must be thread-safe (augmentation runs on several threads).
  virtual void find(std::string_view word, PartOfSpeech pos, std::vector<std::string>& out) const = 0;
};

// Nearest neighbours in a vector space of words or tokens. WordVectors implements it over a
// word2vec file; the engine implements it over a loaded model's token embeddings (any language).
class NeighbourIndex {
 public:
  virtual ~NeighbourIndex() = default;
  virtual std::string name() const = 0;
  // Up to k entries with a cosine similarity of at least minCosine, most similar first.
  virtual std::vector<std::string> nearest(std::string_view word, int k, float minCosine) const = 0;
};

// A NeighbourIndex as a synonym source: the k nearest words above a cosine threshold.
class NeighbourSynonyms : public SynonymSource {
 public:
  NeighbourSynonyms(std::shared_ptr<const NeighbourIndex> index, int k = 10, float minCosine = 0.7f);
  std::string name() const override { return index_->name(); }
  void find(std::string_view word, PartOfSpeech pos, std::vector<std::string>& out) const override;

 private:
  std::shared_ptr<const NeighbourIndex> index_;
  int k_;
  float minCosine_;
};

// Several sources asked in turn; every candidate keeps the name of the source that gave it.
class SynonymSources {
 public:
  void add(std::shared_ptr<const SynonymSource> source) {
    names_.push_back(source->name());
    sources_.push_back(std::move(source));
  }
  bool empty() const { return sources_.empty(); }
  // Candidates from every source, without duplicates (the first source naming a word keeps it).
  std::vector<Synonym> find(std::string_view word, PartOfSpeech pos = PartOfSpeech::Unknown) const;
  const std::vector<std::shared_ptr<const SynonymSource>>& sources() const { return sources_; }

 private:
  std::vector<std::shared_ptr<const SynonymSource>> sources_;
  std::vector<std::string> names_;  // sources_[i]->name(), asked once
};

}  // namespace fts::augment
