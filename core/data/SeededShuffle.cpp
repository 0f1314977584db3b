#include "core/data/SeededShuffle.h"

namespace fts::data {

std::uint64_t SeededRandom::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t SeededRandom::below(std::uint64_t bound) {
  // Lemire's multiply-shift with rejection of the short interval.
  unsigned __int128 m = static_cast<unsigned __int128>(next()) * bound;
  auto low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::uint64_t deriveSeed(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index) {
  SeededRandom r(seed ^ (purpose * 0xD1B54A32D192ED03ull));
  r.next();
  SeededRandom s(r.next() ^ (index * 0x9E3779B97F4A7C15ull));
  return s.next();
}

}  // namespace fts::data
