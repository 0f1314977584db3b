#include "core/import/GgmlDequantize.h"

#include "core/export/FloatFormats.h"

#include <cstring>
#include <stdexcept>

namespace fts {
namespace {

uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24); }
float f16(const uint8_t* p) { return halfToFloat(u16(p)); }

constexpr uint64_t kSuperBlock = 256;  // QK_K: values in one "K" super-block

// The 6-bit scale and 6-bit minimum of sub-block j (0..7) of a Q4_K / Q5_K super-block, packed in
// 12 bytes: bytes 0-3 hold the scales of sub-blocks 0-3 in their low 6 bits, bytes 4-7 the minimums
// of sub-blocks 0-3; sub-blocks 4-7 keep their low 4 bits in bytes 8-11 (scale in the low nibble,
// minimum in the high one) and their top 2 bits in the spare top bits of bytes 0-3 (scales) and
// 4-7 (minimums).
void scaleAndMinK4(int j, const uint8_t* packed, int& scale, int& min) {
  if (j < 4) {
    scale = packed[j] & 63;
    min = packed[j + 4] & 63;
  } else {
    scale = (packed[j + 4] & 0x0F) | ((packed[j - 4] >> 6) << 4);
    min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
  }
}

}  // namespace

std::optional<GgmlQuant> ggmlQuantFromNumber(uint32_t n) {
  switch (n) {
    case 0: case 1: case 2: case 3: case 6: case 7: case 8: case 12: case 13: case 14: case 30:
      return static_cast<GgmlQuant>(n);
    default: return std::nullopt;
  }
}

GgmlBlockLayout ggmlBlockLayout(GgmlQuant type) {
  switch (type) {
    case GgmlQuant::F32: return {1, 4};
    case GgmlQuant::F16: return {1, 2};
    case GgmlQuant::BF16: return {1, 2};
    case GgmlQuant::Q4_0: return {32, 2 + 16};
    case GgmlQuant::Q4_1: return {32, 2 + 2 + 16};
    case GgmlQuant::Q5_0: return {32, 2 + 4 + 16};
    case GgmlQuant::Q5_1: return {32, 2 + 2 + 4 + 16};
    case GgmlQuant::Q8_0: return {32, 2 + 32};
    case GgmlQuant::Q4_K: return {kSuperBlock, 2 + 2 + 12 + 128};
    case GgmlQuant::Q5_K: return {kSuperBlock, 2 + 2 + 12 + 32 + 128};
    case GgmlQuant::Q6_K: return {kSuperBlock, 128 + 64 + 16 + 2};
  }
  throw std::invalid_argument("unknown ggml type");
}

std::string ggmlTypeNumberName(uint32_t n) {
  // ggml's ggml_type enumeration; numbers 4 and 5 (Q4_2, Q4_3) and 31-33, 36-38 (repacked layouts
  // that never appear in files) were retired but keep their names here so a refusal says what it is.
  static const char* const names[] = {
      "F32",     "F16",      "Q4_0",    "Q4_1",     "Q4_2",       "Q4_3",       "Q5_0",       "Q5_1",
      "Q8_0",    "Q8_1",     "Q2_K",    "Q3_K",     "Q4_K",       "Q5_K",       "Q6_K",       "Q8_K",
      "IQ2_XXS", "IQ2_XS",   "IQ3_XXS", "IQ1_S",    "IQ4_NL",     "IQ3_S",      "IQ2_S",      "IQ4_XS",
      "I8",      "I16",      "I32",     "I64",      "F64",        "IQ1_M",      "BF16",       "Q4_0_4_4",
      "Q4_0_4_8", "Q4_0_8_8", "TQ1_0",  "TQ2_0",    "IQ4_NL_4_4", "IQ4_NL_4_8", "IQ4_NL_8_8", "MXFP4",
      "NVFP4",   "Q1_0",
  };
  if (n < std::size(names)) return names[n];
  return "type " + std::to_string(n);
}

uint64_t ggmlTensorBytes(GgmlQuant type, uint64_t count, uint64_t rowLength) {
  const GgmlBlockLayout b = ggmlBlockLayout(type);
  if (rowLength == 0 || rowLength % b.values != 0 || count % rowLength != 0)
    throw std::invalid_argument("rows of " + std::to_string(rowLength) + " values are not whole " + ggmlTypeNumberName(static_cast<uint32_t>(type)) +
                                " blocks of " + std::to_string(b.values));
  return count / b.values * b.bytes;
}

// ---- Classic blocks of 32 values ------------------------------------------------------------

// block_q4_0 (18 bytes): f16 d | u8 qs[16]. Value j (0..15) is the low nibble of qs[j], value j+16 its
// high nibble; both are unsigned 0..15 centred on 8: x = d * (q - 8).
void dequantizeBlockQ4_0(const uint8_t* b, float* out) {
  const float d = f16(b);
  const uint8_t* qs = b + 2;
  for (int j = 0; j < 16; ++j) {
    out[j] = d * static_cast<float>((qs[j] & 0x0F) - 8);
    out[j + 16] = d * static_cast<float>((qs[j] >> 4) - 8);
  }
}

// block_q4_1 (20 bytes): f16 d | f16 m | u8 qs[16]. Nibbles as Q4_0, unsigned: x = d * q + m.
void dequantizeBlockQ4_1(const uint8_t* b, float* out) {
  const float d = f16(b), m = f16(b + 2);
  const uint8_t* qs = b + 4;
  for (int j = 0; j < 16; ++j) {
    out[j] = d * static_cast<float>(qs[j] & 0x0F) + m;
    out[j + 16] = d * static_cast<float>(qs[j] >> 4) + m;
  }
}

// block_q5_0 (22 bytes): f16 d | u8 qh[4] | u8 qs[16]. 5-bit values: the nibbles as in Q4_0, and bit j of
// qh (read as a little-endian uint32) is the fifth bit of value j (0..31). Centred on 16: x = d * (q - 16).
void dequantizeBlockQ5_0(const uint8_t* b, float* out) {
  const float d = f16(b);
  const uint32_t qh = u32(b + 2);
  const uint8_t* qs = b + 6;
  for (int j = 0; j < 16; ++j) {
    const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1u) << 4);
    const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1u) << 4);
    out[j] = d * static_cast<float>(lo - 16);
    out[j + 16] = d * static_cast<float>(hi - 16);
  }
}

// block_q5_1 (24 bytes): f16 d | f16 m | u8 qh[4] | u8 qs[16]. 5-bit values as Q5_0, unsigned: x = d * q + m.
void dequantizeBlockQ5_1(const uint8_t* b, float* out) {
  const float d = f16(b), m = f16(b + 2);
  const uint32_t qh = u32(b + 4);
  const uint8_t* qs = b + 8;
  for (int j = 0; j < 16; ++j) {
    const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1u) << 4);
    const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1u) << 4);
    out[j] = d * static_cast<float>(lo) + m;
    out[j + 16] = d * static_cast<float>(hi) + m;
  }
}

// block_q8_0 (34 bytes): f16 d | i8 qs[32]: x = d * q.
void dequantizeBlockQ8_0(const uint8_t* b, float* out) {
  const float d = f16(b);
  for (int j = 0; j < 32; ++j) out[j] = d * static_cast<float>(static_cast<int8_t>(b[2 + j]));
}

// ---- "K" super-blocks of 256 values -----------------------------------------------------------

// block_q4_K (144 bytes): f16 d | f16 dmin | u8 scales[12] | u8 qs[128]. Eight sub-blocks of 32, each
// with a 6-bit scale sc and minimum mn (scaleAndMinK4): x = d * sc * q - dmin * mn, q a 4-bit unsigned.
// The quants come in 4 groups of 32 bytes, each group holding two sub-blocks: sub-block 2g in the low
// nibbles, sub-block 2g+1 in the high nibbles.
void dequantizeBlockQ4_K(const uint8_t* b, float* out) {
  const float d = f16(b), dmin = f16(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* qs = b + 16;
  for (int g = 0; g < 4; ++g) {
    int sc0, mn0, sc1, mn1;
    scaleAndMinK4(2 * g, scales, sc0, mn0);
    scaleAndMinK4(2 * g + 1, scales, sc1, mn1);
    const float d0 = d * static_cast<float>(sc0), m0 = dmin * static_cast<float>(mn0);
    const float d1 = d * static_cast<float>(sc1), m1 = dmin * static_cast<float>(mn1);
    const uint8_t* q = qs + 32 * g;
    float* y = out + 64 * g;
    for (int l = 0; l < 32; ++l) {
      y[l] = d0 * static_cast<float>(q[l] & 0x0F) - m0;
      y[l + 32] = d1 * static_cast<float>(q[l] >> 4) - m1;
    }
  }
}

// block_q5_K (176 bytes): f16 d | f16 dmin | u8 scales[12] | u8 qh[32] | u8 qs[128]. As Q4_K with a
// fifth bit per value: value l of sub-block s (0..7) takes bit s of qh[l] as its 16s:
// x = d * sc * q - dmin * mn, q a 5-bit unsigned.
void dequantizeBlockQ5_K(const uint8_t* b, float* out) {
  const float d = f16(b), dmin = f16(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* qs = b + 48;
  for (int g = 0; g < 4; ++g) {
    int sc0, mn0, sc1, mn1;
    scaleAndMinK4(2 * g, scales, sc0, mn0);
    scaleAndMinK4(2 * g + 1, scales, sc1, mn1);
    const float d0 = d * static_cast<float>(sc0), m0 = dmin * static_cast<float>(mn0);
    const float d1 = d * static_cast<float>(sc1), m1 = dmin * static_cast<float>(mn1);
    const uint8_t* q = qs + 32 * g;
    float* y = out + 64 * g;
    for (int l = 0; l < 32; ++l) {
      const int lo = (q[l] & 0x0F) | (((qh[l] >> (2 * g)) & 1) << 4);
      const int hi = (q[l] >> 4) | (((qh[l] >> (2 * g + 1)) & 1) << 4);
      y[l] = d0 * static_cast<float>(lo) - m0;
      y[l + 32] = d1 * static_cast<float>(hi) - m1;
    }
  }
}

// block_q6_K (210 bytes): u8 ql[128] | u8 qh[64] | i8 scales[16] | f16 d. Sixteen sub-blocks of 16 values,
// each with a signed 8-bit scale: x = d * scale * (q - 32), q a 6-bit unsigned. The block is two halves
// of 128 values; in half h, ql[64h .. 64h+63] holds low nibbles and qh[32h .. 32h+31] the top 2 bits:
// value l (0..31) of each quarter: quarter 0 low nibble of ql[l], bits 0-1 of qh[l]; quarter 1 low
// nibble of ql[l+32], bits 2-3; quarter 2 high nibble of ql[l], bits 4-5; quarter 3 high nibble of
// ql[l+32], bits 6-7. Quarter r, value l uses scale 8h + 2r + l/16.
void dequantizeBlockQ6_K(const uint8_t* b, float* out) {
  const uint8_t* qlAll = b;
  const uint8_t* qhAll = b + 128;
  const auto* scAll = reinterpret_cast<const int8_t*>(b + 192);
  const float d = f16(b + 208);
  for (int h = 0; h < 2; ++h) {
    const uint8_t* ql = qlAll + 64 * h;
    const uint8_t* qh = qhAll + 32 * h;
    const int8_t* sc = scAll + 8 * h;
    float* y = out + 128 * h;
    for (int l = 0; l < 32; ++l) {
      const int q0 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int q1 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int q2 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int q3 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      const int s = l / 16;
      y[l] = d * static_cast<float>(sc[s + 0]) * static_cast<float>(q0);
      y[l + 32] = d * static_cast<float>(sc[s + 2]) * static_cast<float>(q1);
      y[l + 64] = d * static_cast<float>(sc[s + 4]) * static_cast<float>(q2);
      y[l + 96] = d * static_cast<float>(sc[s + 6]) * static_cast<float>(q3);
    }
  }
}

void dequantizeGgml(GgmlQuant type, std::span<const std::byte> bytes, std::span<float> out) {
  const GgmlBlockLayout layout = ggmlBlockLayout(type);
  const std::string name = ggmlTypeNumberName(static_cast<uint32_t>(type));
  if (out.size() % layout.values != 0)
    throw std::invalid_argument(std::to_string(out.size()) + " values are not whole " + name + " blocks of " + std::to_string(layout.values));
  const uint64_t blocks = out.size() / layout.values;
  if (bytes.size() != blocks * layout.bytes)
    throw std::invalid_argument(name + ": " + std::to_string(out.size()) + " values need " + std::to_string(blocks * layout.bytes) +
                                " bytes, not " + std::to_string(bytes.size()));
  const auto* src = reinterpret_cast<const uint8_t*>(bytes.data());
  float* dst = out.data();
  switch (type) {
    case GgmlQuant::F32: std::memcpy(dst, src, out.size() * 4); return;
    case GgmlQuant::F16:
      for (size_t i = 0; i < out.size(); ++i) dst[i] = halfToFloat(u16(src + 2 * i));
      return;
    case GgmlQuant::BF16:
      for (size_t i = 0; i < out.size(); ++i) dst[i] = bf16ToFloat(u16(src + 2 * i));
      return;
    default: break;
  }
  void (*block)(const uint8_t*, float*) = nullptr;
  switch (type) {
    case GgmlQuant::Q4_0: block = dequantizeBlockQ4_0; break;
    case GgmlQuant::Q4_1: block = dequantizeBlockQ4_1; break;
    case GgmlQuant::Q5_0: block = dequantizeBlockQ5_0; break;
    case GgmlQuant::Q5_1: block = dequantizeBlockQ5_1; break;
    case GgmlQuant::Q8_0: block = dequantizeBlockQ8_0; break;
    case GgmlQuant::Q4_K: block = dequantizeBlockQ4_K; break;
    case GgmlQuant::Q5_K: block = dequantizeBlockQ5_K; break;
    case GgmlQuant::Q6_K: block = dequantizeBlockQ6_K; break;
    default: throw std::invalid_argument("no decoder for " + name);
  }
  for (uint64_t i = 0; i < blocks; ++i) block(src + i * layout.bytes, dst + i * layout.values);
}

}  // namespace fts
