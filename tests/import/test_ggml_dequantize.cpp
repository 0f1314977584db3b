// Dequantization of every ggml block type the importer reads, on hand-built blocks: each test chooses
// the integers a block stands for (quants, sub-block scales and minimums), packs them by the layout
// described in ggml's block structs (a packer written here, the inverse of the decoder), and compares
// the decoder's output with the formula evaluated in double. Edge cases: negative and zero scales, the
// largest float16, subnormal scales, the extreme quants of each width; and the refusals.
#include "core/export/FloatFormats.h"
#include "core/import/GgmlDequantize.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace fts;

namespace {

void putHalf(std::vector<uint8_t>& b, size_t at, float v) {
  const uint16_t h = floatToHalf(v);
  b[at] = static_cast<uint8_t>(h & 0xFF);
  b[at + 1] = static_cast<uint8_t>(h >> 8);
}
double half(float v) { return halfToFloat(floatToHalf(v)); }  // the scale as the block stores it

std::vector<float> decode(GgmlQuant type, const std::vector<uint8_t>& block, size_t values) {
  std::vector<float> out(values);
  dequantizeGgml(type, std::as_bytes(std::span(block)), out);
  return out;
}

// Float32 products may round differently from the double formula by a few ulps of the largest term,
// `scale` (the largest magnitude the block can hold).
void compare(const std::vector<float>& got, const std::vector<double>& want, double scale, const char* what) {
  QCOMPARE(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = 4e-7 * std::abs(scale);  // a few float32 roundings of the largest term
    if (std::abs(got[i] - want[i]) > tol)
      QFAIL(qPrintable(QString("%1: value %2 is %3, expected %4").arg(what).arg(i).arg(got[i], 0, 'g', 9).arg(want[i], 0, 'g', 9)));
  }
}

std::vector<int> randomInts(std::mt19937& rng, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int> v(n);
  for (auto& x : v) x = d(rng);
  // The extremes always appear.
  v[0] = lo;
  v[n - 1] = hi;
  return v;
}

// ---- Classic 32-value blocks -----------------------------------------------------------------
// 4-bit: value j < 16 is the low nibble of byte j, value j + 16 its high nibble.
void packNibbles(std::vector<uint8_t>& b, size_t at, const std::vector<int>& q) {
  for (int j = 0; j < 16; ++j) b[at + j] = static_cast<uint8_t>((q[j] & 15) | ((q[j + 16] & 15) << 4));
}
// 5-bit: the fifth bit of value i is bit i of a little-endian uint32.
void packHighBits(std::vector<uint8_t>& b, size_t at, const std::vector<int>& q) {
  uint32_t qh = 0;
  for (int i = 0; i < 32; ++i) qh |= static_cast<uint32_t>((q[i] >> 4) & 1) << i;
  for (int k = 0; k < 4; ++k) b[at + k] = static_cast<uint8_t>(qh >> (8 * k));
}

// ---- K super-blocks -------------------------------------------------------------------------
// 12 bytes holding eight 6-bit scales and eight 6-bit minimums: bytes 0-3 scales 0-3 (low 6 bits) with
// the top 2 bits of scales 4-7 above them, bytes 4-7 the same for the minimums, bytes 8-11 the low 4
// bits of scale 4+k (low nibble) and minimum 4+k (high nibble).
void packScalesK(std::vector<uint8_t>& b, size_t at, const std::vector<int>& sc, const std::vector<int>& mn) {
  for (int k = 0; k < 4; ++k) {
    b[at + k] = static_cast<uint8_t>((sc[k] & 63) | ((sc[k + 4] >> 4) << 6));
    b[at + 4 + k] = static_cast<uint8_t>((mn[k] & 63) | ((mn[k + 4] >> 4) << 6));
    b[at + 8 + k] = static_cast<uint8_t>((sc[k + 4] & 15) | ((mn[k + 4] & 15) << 4));
  }
}
// Value i of a Q4_K/Q5_K super-block: sub-block s = i / 32 lives in group s / 2 of 32 bytes, in the low
// nibbles for an even s and the high ones for an odd s.
void packQuantsK(std::vector<uint8_t>& b, size_t at, const std::vector<int>& q) {
  for (int i = 0; i < 256; ++i) {
    const int s = i / 32, l = i % 32;
    uint8_t& byte = b[at + 32 * (s / 2) + l];
    byte = static_cast<uint8_t>(s % 2 ? (byte & 0x0F) | ((q[i] & 15) << 4) : (byte & 0xF0) | (q[i] & 15));
  }
}

}  // namespace

class TestGgmlDequantize : public QObject {
  Q_OBJECT
  std::mt19937 rng_{12345};

 private slots:
  void layoutsMatchGgmlsBlockSizes() {
    // sizeof(block_*) in ggml-common.h.
    QCOMPARE(ggmlBlockLayout(GgmlQuant::Q4_0).bytes, uint64_t{18});
    QCOMPARE(ggmlBlockLayout(GgmlQuant::Q4_1).bytes, uint64_t{20});
    QCOMPARE(ggmlBlockLayout(GgmlQuant::Q5_0).bytes, uint64_t{22});
    QCOMPARE(ggmlBlockLayout(GgmlQuant::Q5_1).bytes, uint64_t{24});
    QCOMPARE(ggmlBlockLayout(GgmlQuant::Q8_0).bytes, uint64_t{34});
    QCOMPARE(ggmlBlockLayout(GgmlQuant::Q4_K).bytes, uint64_t{144});
    QCOMPARE(ggmlBlockLayout(GgmlQuant::Q5_K).bytes, uint64_t{176});
    QCOMPARE(ggmlBlockLayout(GgmlQuant::Q6_K).bytes, uint64_t{210});
    QCOMPARE(ggmlBlockLayout(GgmlQuant::Q6_K).values, uint64_t{256});
    QCOMPARE(ggmlTensorBytes(GgmlQuant::Q4_1, 64 * 3, 64), uint64_t{6 * 20});
  }

  void floatTypes() {
    const std::vector<float> f = {0.0f, -1.5f, 3.25e-8f, 65504.0f, -1e30f};
    std::vector<uint8_t> raw(f.size() * 4);
    std::memcpy(raw.data(), f.data(), raw.size());
    QCOMPARE(decode(GgmlQuant::F32, raw, f.size()), f);
    // float16 0x3C00 = 1, 0xC000 = -2, 0x7BFF = 65504, 0x0001 = 2^-24 (the smallest subnormal).
    const std::vector<uint8_t> h = {0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00};
    const std::vector<float> hv = {1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24)};
    QCOMPARE(decode(GgmlQuant::F16, h, 4), hv);
    // bfloat16 is the top half of a float32: 0x3F80 = 1, 0xC2F7 = -123.5, 0x7F7F = 3.3895e38.
    const std::vector<uint8_t> bf = {0x80, 0x3F, 0xF7, 0xC2, 0x7F, 0x7F};
    const auto got = decode(GgmlQuant::BF16, bf, 3);
    QCOMPARE(got[0], 1.0f);
    QCOMPARE(got[1], -123.5f);
    QCOMPARE(got[2], std::bit_cast<float>(uint32_t{0x7F7F0000}));
  }

  void q4_0_data() {
    QTest::addColumn<float>("d");
    QTest::newRow("positive") << 0.0123f;
    QTest::newRow("negative") << -2.5f;
    QTest::newRow("zero") << 0.0f;
    QTest::newRow("largest half") << 65504.0f;
    QTest::newRow("subnormal") << 3.0e-6f;
  }
  void q4_0() {
    QFETCH(float, d);
    const auto q = randomInts(rng_, 32, 0, 15);
    std::vector<uint8_t> b(18);
    putHalf(b, 0, d);
    packNibbles(b, 2, q);
    std::vector<double> want(32);
    for (int i = 0; i < 32; ++i) want[i] = half(d) * (q[i] - 8);
    compare(decode(GgmlQuant::Q4_0, b, 32), want, half(d) * 8, "Q4_0");
  }

  void q4_1_data() { q4_0_data(); }
  void q4_1() {
    QFETCH(float, d);
    const float m = -d * 7.5f + 0.25f;
    const auto q = randomInts(rng_, 32, 0, 15);
    std::vector<uint8_t> b(20);
    putHalf(b, 0, d);
    putHalf(b, 2, m);
    packNibbles(b, 4, q);
    std::vector<double> want(32);
    for (int i = 0; i < 32; ++i) want[i] = half(d) * q[i] + half(m);
    compare(decode(GgmlQuant::Q4_1, b, 32), want, half(d) * 16 + std::abs(half(m)), "Q4_1");
  }

  void q5_0_data() { q4_0_data(); }
  void q5_0() {
    QFETCH(float, d);
    const auto q = randomInts(rng_, 32, 0, 31);
    std::vector<uint8_t> b(22);
    putHalf(b, 0, d);
    packHighBits(b, 2, q);
    packNibbles(b, 6, q);
    std::vector<double> want(32);
    for (int i = 0; i < 32; ++i) want[i] = half(d) * (q[i] - 16);
    compare(decode(GgmlQuant::Q5_0, b, 32), want, half(d) * 16, "Q5_0");
  }

  void q5_1_data() { q4_0_data(); }
  void q5_1() {
    QFETCH(float, d);
    const float m = -d * 15.0f - 1.0f;
    const auto q = randomInts(rng_, 32, 0, 31);
    std::vector<uint8_t> b(24);
    putHalf(b, 0, d);
    putHalf(b, 2, m);
    packHighBits(b, 4, q);
    packNibbles(b, 8, q);
    std::vector<double> want(32);
    for (int i = 0; i < 32; ++i) want[i] = half(d) * q[i] + half(m);
    compare(decode(GgmlQuant::Q5_1, b, 32), want, half(d) * 32 + std::abs(half(m)), "Q5_1");
  }

  void q8_0_data() { q4_0_data(); }
  void q8_0() {
    QFETCH(float, d);
    const auto q = randomInts(rng_, 32, -128, 127);
    std::vector<uint8_t> b(34);
    putHalf(b, 0, d);
    for (int i = 0; i < 32; ++i) b[2 + i] = static_cast<uint8_t>(static_cast<int8_t>(q[i]));
    std::vector<double> want(32);
    for (int i = 0; i < 32; ++i) want[i] = half(d) * q[i];
    compare(decode(GgmlQuant::Q8_0, b, 32), want, half(d) * 128, "Q8_0");
  }

  void q4_k_data() {
    QTest::addColumn<float>("d");
    QTest::addColumn<float>("dmin");
    QTest::newRow("typical") << 0.00213f << 0.0031f;
    QTest::newRow("negative scales") << -0.75f << -0.5f;
    QTest::newRow("zero minimums") << 1.0f << 0.0f;
    QTest::newRow("largest half") << 65504.0f << 65504.0f;
    QTest::newRow("subnormal") << 2.0e-7f << 5.0e-6f;
  }
  void q4_k() {
    QFETCH(float, d);
    QFETCH(float, dmin);
    const auto sc = randomInts(rng_, 8, 0, 63), mn = randomInts(rng_, 8, 0, 63), q = randomInts(rng_, 256, 0, 15);
    std::vector<uint8_t> b(144, 0);
    putHalf(b, 0, d);
    putHalf(b, 2, dmin);
    packScalesK(b, 4, sc, mn);
    packQuantsK(b, 16, q);
    std::vector<double> want(256);
    for (int i = 0; i < 256; ++i) want[i] = half(d) * sc[i / 32] * q[i] - half(dmin) * mn[i / 32];
    compare(decode(GgmlQuant::Q4_K, b, 256), want, std::abs(half(d)) * 63 * 15 + std::abs(half(dmin)) * 63, "Q4_K");
  }

  void q5_k_data() { q4_k_data(); }
  void q5_k() {
    QFETCH(float, d);
    QFETCH(float, dmin);
    const auto sc = randomInts(rng_, 8, 0, 63), mn = randomInts(rng_, 8, 0, 63), q = randomInts(rng_, 256, 0, 31);
    std::vector<uint8_t> b(176, 0);
    putHalf(b, 0, d);
    putHalf(b, 2, dmin);
    packScalesK(b, 4, sc, mn);
    // qh[l], bit s: the fifth bit of value l of sub-block s.
    for (int i = 0; i < 256; ++i) b[16 + i % 32] |= static_cast<uint8_t>(((q[i] >> 4) & 1) << (i / 32));
    packQuantsK(b, 48, q);
    std::vector<double> want(256);
    for (int i = 0; i < 256; ++i) want[i] = half(d) * sc[i / 32] * q[i] - half(dmin) * mn[i / 32];
    compare(decode(GgmlQuant::Q5_K, b, 256), want, std::abs(half(d)) * 63 * 31 + std::abs(half(dmin)) * 63, "Q5_K");
  }

  void q6_k_data() {
    QTest::addColumn<float>("d");
    QTest::newRow("typical") << 0.0042f;
    QTest::newRow("negative") << -1.25f;
    QTest::newRow("largest half") << 65504.0f;
    QTest::newRow("subnormal") << 1.0e-6f;
  }
  void q6_k() {
    QFETCH(float, d);
    const auto sc = randomInts(rng_, 16, -128, 127), q = randomInts(rng_, 256, 0, 63);
    std::vector<uint8_t> b(210, 0);
    // Value i: half h = i / 128, quarter r = (i % 128) / 32, l = i % 32. Low 4 bits in ql[64h + l]
    // (quarters 0, 2) or ql[64h + 32 + l] (quarters 1, 3), low nibble for quarters 0-1, high for 2-3;
    // top 2 bits at bit 2r of qh[32h + l]. Scale (i / 16), a signed byte.
    for (int i = 0; i < 256; ++i) {
      const int h = i / 128, r = (i % 128) / 32, l = i % 32;
      uint8_t& lo = b[64 * h + (r % 2) * 32 + l];
      lo |= static_cast<uint8_t>(r < 2 ? (q[i] & 15) : (q[i] & 15) << 4);
      b[128 + 32 * h + l] |= static_cast<uint8_t>(((q[i] >> 4) & 3) << (2 * r));
    }
    for (int s = 0; s < 16; ++s) b[192 + s] = static_cast<uint8_t>(static_cast<int8_t>(sc[s]));
    putHalf(b, 208, d);
    std::vector<double> want(256);
    for (int i = 0; i < 256; ++i) want[i] = half(d) * sc[i / 16] * (q[i] - 32);
    compare(decode(GgmlQuant::Q6_K, b, 256), want, std::abs(half(d)) * 128 * 32, "Q6_K");
  }

  void severalBlocksDecodeInOrder() {
    // Two Q8_0 blocks: the second block's values follow the first's.
    std::vector<uint8_t> b(68, 0);
    putHalf(b, 0, 1.0f);
    putHalf(b, 34, -2.0f);
    b[2] = 5;
    b[36] = 7;
    const auto out = decode(GgmlQuant::Q8_0, b, 64);
    QCOMPARE(out[0], 5.0f);
    QCOMPARE(out[32], -14.0f);
  }

  void refusals() {
    std::vector<float> out(32);
    std::vector<std::byte> shortBlock(17);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, dequantizeGgml(GgmlQuant::Q4_0, shortBlock, out));
    std::vector<float> partial(40);
    std::vector<std::byte> two(36);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, dequantizeGgml(GgmlQuant::Q8_0, two, partial));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ggmlTensorBytes(GgmlQuant::Q4_K, 512, 128));  // rows of 128: half a super-block
    QVERIFY(!ggmlQuantFromNumber(10).has_value());  // Q2_K: named, not decoded
    QVERIFY(!ggmlQuantFromNumber(16).has_value());
    QCOMPARE(ggmlTypeNumberName(10), std::string("Q2_K"));
    QCOMPARE(ggmlTypeNumberName(16), std::string("IQ2_XXS"));
    QCOMPARE(ggmlTypeNumberName(39), std::string("MXFP4"));
    QCOMPARE(ggmlTypeNumberName(999), std::string("type 999"));
    QCOMPARE(ggmlQuantFromNumber(14).value(), GgmlQuant::Q6_K);
  }
};

QTEST_APPLESS_MAIN(TestGgmlDequantize)
#include "test_ggml_dequantize.moc"
