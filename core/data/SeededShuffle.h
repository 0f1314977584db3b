#pragma once
// Deterministic randomness for splits and batch orders. std::shuffle and the std distributions
// differ between standard libraries, so a seed would not reproduce a run elsewhere; these do.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fts::data {

// SplitMix64: tiny, fast, and good enough for shuffling.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [0, bound), bound > 0, without modulo bias.
  std::uint64_t below(std::uint64_t bound);

 private:
  std::uint64_t state_;
};

// A seed for one purpose derived from a user seed (e.g. one stream per class, one per epoch).
std::uint64_t deriveSeed(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index = 0);

// Fisher-Yates shuffle, the same on every platform.
template <typename T>
void seededShuffle(std::vector<T>& items, SeededRandom& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(rng.below(i));
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace fts::data
