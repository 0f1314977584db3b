#include "core/data/Hash64.h"

#include <cstring>

namespace fts::data {
namespace {

constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ull;
constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4Full;
constexpr std::uint64_t kP3 = 0x165667B19E3779F9ull;

constexpr std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// Reads 8 bytes as a little-endian word whatever the machine's byte order.
std::uint64_t loadLe64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::uint64_t avalanche(std::uint64_t h) {
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

}  // namespace

Hasher64::Hasher64(std::uint64_t seed) : state_(seed ^ kP3) {}

void Hasher64::mixWord(std::uint64_t word) {
  state_ ^= rotl(word * kP2, 31) * kP1;
  state_ = rotl(state_, 27) * kP1 + kP3;
}

void Hasher64::update(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  total_ += n;
  if (pendingLen_ > 0) {
    const std::size_t take = std::min<std::size_t>(8 - pendingLen_, n);
    std::memcpy(pending_ + pendingLen_, p, take);
    pendingLen_ += take;
    p += take;
    n -= take;
    if (pendingLen_ < 8) return;
    mixWord(loadLe64(pending_));
    pendingLen_ = 0;
  }
  // The hot loop: one multiply-rotate chain per 8 bytes.
  while (n >= 8) {
    mixWord(loadLe64(p));
    p += 8;
    n -= 8;
  }
  std::memcpy(pending_, p, n);
  pendingLen_ = n;
}

void Hasher64::updateU64(std::uint64_t value) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(value >> (8 * i));
  update(std::string_view(reinterpret_cast<const char*>(b), 8));
}

std::uint64_t Hasher64::digest() const {
  std::uint64_t h = state_;
  // The tail and the total length both enter, so "a" and "a\0" differ.
  std::uint64_t tail = 0;
  for (std::size_t i = pendingLen_; i > 0; --i) tail = (tail << 8) | pending_[i - 1];
  h ^= rotl((tail ^ pendingLen_) * kP1, 23) * kP2;
  h ^= total_ * kP3;
  return avalanche(h);
}

std::uint64_t hash64(std::string_view bytes, std::uint64_t seed) {
  Hasher64 h(seed);
  h.update(bytes);
  return h.digest();
}

std::string toHex64(std::uint64_t value) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[static_cast<std::size_t>(i)] = digits[value & 0xF];
    value >>= 4;
  }
  return s;
}

bool fromHex64(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 16) return false;
  std::uint64_t v = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  value = v;
  return true;
}

}  // namespace fts::data
