#pragma once
// Makes variants of a text with EDA's operations (sr, ri, rs, rd), AEDA's punctuation insertion and
// character noise, each variant with the change log that explains it.
//
// Determinism: the variants of a sample depend only on the options, the resources and the
// SampleKey (seed, epoch, row), never on the thread or the order samples are processed in. The
// on-the-fly transform of a training row in epoch e is augment(text, {runSeed, e, row}).
//
// Constraints every operation honours: stop words, protected spans (numbers, URLs, @mentions, the
// user's regex) and the words inside them are never changed, moved or deleted, and nothing is
// inserted inside a protected span; at most maxChangedShare of the words change; a variant equal to
// its source or to an earlier variant is dropped and drawn again (up to `attempts` times).
#include "core/augment/ChangeLog.h"
#include "core/augment/Operation.h"
#include "core/augment/ProtectedSpans.h"
#include "core/augment/StopWords.h"
#include "core/augment/SynonymSource.h"
#include "core/augment/WordSplitter.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace fts::data {
class SeededRandom;
}

namespace fts::augment {

struct AugmentOptions {
  std::vector<OperationRate> ops = {{Operation::SynonymReplacement, 0.1},
                                    {Operation::RandomInsertion, 0.1},
                                    {Operation::RandomSwap, 0.1},
                                    {Operation::RandomDeletion, 0.1}};
  int variants = 4;                 // per sample; the operations in turn, from a seeded first one
  Language language = Language::Auto;
  double maxChangedShare = 0.5;     // of a text's words (at least one word may always change)
  int attempts = 10;                // draws per variant before giving up on it
  ProtectOptions protect;
};

struct SampleKey {
  std::uint64_t seed = 0;   // the user's (or the run's) seed
  std::uint64_t epoch = 0;  // 0 offline; the epoch on the fly
  std::int64_t row = 0;     // the sample's 1-based source line (or its index): what the variants belong to
};

struct AugmentResources {
  SynonymSources synonyms;  // for sr and ri; empty: those two change nothing
  StopWords english, chinese;
};

class Augmenter {
 public:
  // Throws std::invalid_argument for options that cannot work (no op, a protect regex that does
  // not compile, variants < 0).
  Augmenter(AugmentOptions options, AugmentResources resources);

  // Up to options.variants distinct variants (fewer when the text allows no more, e.g. one word).
  // Thread-safe.
  std::vector<Variant> augment(std::string_view text, const SampleKey& key) const;

  // One operation once, with the generator given (tests, the benchmark, a preview). nullopt when
  // it can change nothing in this text. The log is finished (output offsets set).
  std::optional<Variant> applyOnce(Operation op, double rate, std::string_view text, data::SeededRandom& rng) const;

  const AugmentOptions& options() const { return options_; }

  // n words changed for a rate: max(1, round(rate x words)), capped by maxChangedShare.
  std::size_t wordsToChange(double rate, std::size_t words) const;

 private:
  struct Prepared;
  Prepared prepare(std::string_view text) const;
  std::optional<ChangeLog> run(Operation op, double rate, const Prepared& p, data::SeededRandom& rng) const;
  std::optional<ChangeLog> synonymReplacement(double rate, const Prepared& p, data::SeededRandom& rng) const;
  std::optional<ChangeLog> randomInsertion(double rate, const Prepared& p, data::SeededRandom& rng) const;
  std::optional<ChangeLog> randomSwap(double rate, const Prepared& p, data::SeededRandom& rng) const;
  std::optional<ChangeLog> randomDeletion(double rate, const Prepared& p, data::SeededRandom& rng) const;
  std::optional<ChangeLog> punctuation(double rate, const Prepared& p, data::SeededRandom& rng) const;
  std::optional<ChangeLog> characterNoise(double rate, const Prepared& p, data::SeededRandom& rng) const;

  AugmentOptions options_;
  AugmentResources resources_;
  ProtectedSpans protect_;
};

}  // namespace fts::augment
