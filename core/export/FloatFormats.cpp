#include "core/export/FloatFormats.h"

#include <bit>

namespace fts {

uint16_t floatToHalf(float value) {
  const uint32_t x = std::bit_cast<uint32_t>(value);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t mag = x & 0x7fffffffu;

  if (mag >= 0x7f800000u) {  // infinity or NaN; a NaN keeps a set quiet bit so it never becomes infinity
    const uint16_t nan = mag > 0x7f800000u ? static_cast<uint16_t>(0x0200u | ((mag >> 13) & 0x03ffu)) : 0;
    return static_cast<uint16_t>(sign | 0x7c00u | nan);
  }
  // 65520 = halfway between the largest half (65504) and 2^16; ties go to the even side, infinity.
  if (mag >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);

  if (mag < 0x38800000u) {  // below 2^-14, the smallest normal half: a subnormal (unit 2^-24) or zero
    if (mag <= 0x33000000u) return sign;  // at most 2^-25: rounds to zero (2^-25 itself is a tie to even 0)
    const int exponent = static_cast<int>(mag >> 23);          // biased, 102..112 here
    const uint32_t significand = (mag & 0x7fffffu) | 0x800000u;  // 24 bits: value = significand * 2^(exponent-150)
    const int shift = 126 - exponent;                          // value / 2^-24 = significand >> shift, 14..24
    uint32_t q = significand >> shift;
    const uint32_t rest = significand & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (q & 1u))) ++q;  // may carry into the smallest normal: still right
    return static_cast<uint16_t>(sign | q);
  }
  // Normal: rebias the exponent (127 -> 15, i.e. subtract 112 << 23) and drop 13 mantissa bits, rounding.
  uint32_t h = (mag - 0x38000000u) >> 13;
  const uint32_t rest = mag & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // a carry into the exponent is the right result
  return static_cast<uint16_t>(sign | h);
}

float halfToFloat(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  uint32_t out;
  if (exponent == 0x1f) {
    out = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    out = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    out = sign;
  } else {
    // Subnormal half: normalise it, float32 has the range for it.
    int e = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --e;
    }
    out = sign | (static_cast<uint32_t>(e) << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(out);
}

uint16_t floatToBf16(float value) {
  const uint32_t x = std::bit_cast<uint32_t>(value);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x0040u);  // quiet NaN
  const uint32_t roundingBias = 0x7fffu + ((x >> 16) & 1u);  // ties to even
  return static_cast<uint16_t>((x + roundingBias) >> 16);
}

float bf16ToFloat(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

}  // namespace fts
