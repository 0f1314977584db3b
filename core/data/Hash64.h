#pragma once
// Our own small, stable 64-bit hash (no dependency): the same bytes give the same value on every
// machine and in every version, so it can fingerprint data files stored with a run and key
// duplicate detection. Not cryptographic: it detects change and equality, not tampering.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fts::data {

// Streaming form: update() any number of times, then digest(). Feeding the same bytes in any
// split gives the same digest.
class Hasher64 {
 public:
  explicit Hasher64(std::uint64_t seed = 0);
  void update(std::string_view bytes);
  void updateU64(std::uint64_t value);  // 8 bytes, little-endian
  std::uint64_t digest() const;

 private:
  void mixWord(std::uint64_t word);
  std::uint64_t state_;
  std::uint64_t total_ = 0;        // bytes fed so far
  unsigned char pending_[8] = {};  // bytes not yet forming a whole word
  std::size_t pendingLen_ = 0;
};

std::uint64_t hash64(std::string_view bytes, std::uint64_t seed = 0);

// 16 lowercase hex digits.
std::string toHex64(std::uint64_t value);
// Parses 16 hex digits (or fewer); returns false when the text is not hex.
bool fromHex64(std::string_view text, std::uint64_t& value);

}  // namespace fts::data
