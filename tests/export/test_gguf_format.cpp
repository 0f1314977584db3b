// GGUF without a model: our float16/bfloat16 conversions against LibTorch's, Q8_0 blocks, and a file of
// every metadata type and tensor type written by GgufWriter and read back by GgufReader byte for byte.
#include "core/export/FloatFormats.h"
#include "core/export/GgufReader.h"
#include "core/export/GgufWriter.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <bit>
#include <cmath>
#include <fstream>
#include <limits>

using namespace fts;

namespace {

std::filesystem::path pathIn(const QTemporaryDir& dir, const char* name) { return dir.filePath(name).toStdString(); }

std::vector<float> randomValues(size_t n, uint64_t seed, double scale) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto t = torch::randn({static_cast<int64_t>(n)}, gen) * scale;
  return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + n);
}

}  // namespace

class TestGgufFormat : public QObject {
  Q_OBJECT
 private slots:
  void halfMatchesTorchEverywhere() {
    // Every one of the 65536 half bit patterns widens as torch widens it (NaNs stay NaN).
    auto all = torch::arange(0, 65536, torch::kInt32).to(torch::kInt16).view(torch::kHalf).to(torch::kFloat32);
    for (uint32_t bits = 0; bits < 65536; ++bits) {
      const float ours = halfToFloat(static_cast<uint16_t>(bits));
      const float theirs = all[bits].item<float>();
      if (std::isnan(theirs)) QVERIFY(std::isnan(ours));
      else QVERIFY2(std::bit_cast<uint32_t>(ours) == std::bit_cast<uint32_t>(theirs), qPrintable(QString::number(bits, 16)));
    }
    // Narrowing: random values over the whole range plus the edges of rounding, subnormals and overflow.
    std::vector<float> values = randomValues(200000, 1, 1.0);
    for (float scale : {1e-8f, 1e-6f, 6.1e-5f, 1e-3f, 100.0f, 6e4f, 1e6f}) {
      auto more = randomValues(20000, static_cast<uint64_t>(scale * 1e9) + 7, scale);
      values.insert(values.end(), more.begin(), more.end());
    }
    for (float v : {0.0f, -0.0f, 65504.0f, 65519.99f, 65520.0f, 65536.0f, 5.9604645e-8f, 2.9802322e-8f, 2.98023259e-8f, 6.1035156e-5f,
                    6.0975552e-5f, 1.0009766f, 1.00048828125f, 1.00146484375f, std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::denorm_min()})
      values.push_back(v);
    auto t = torch::from_blob(values.data(), {static_cast<int64_t>(values.size())}, torch::kFloat32);
    auto asHalf = t.to(torch::kHalf).contiguous();
    auto asBf16 = t.to(torch::kBFloat16).contiguous();
    const auto* h = reinterpret_cast<const uint16_t*>(asHalf.data_ptr());
    const auto* b = reinterpret_cast<const uint16_t*>(asBf16.data_ptr());
    for (size_t i = 0; i < values.size(); ++i) {
      QVERIFY2(floatToHalf(values[i]) == h[i], qPrintable(QString("half of %1").arg(static_cast<double>(values[i]), 0, 'g', 9)));
      QVERIFY2(floatToBf16(values[i]) == b[i], qPrintable(QString("bf16 of %1").arg(static_cast<double>(values[i]), 0, 'g', 9)));
      QCOMPARE(bf16ToFloat(floatToBf16(values[i])), asBf16[static_cast<int64_t>(i)].item<float>());
    }
    QVERIFY(std::isnan(halfToFloat(floatToHalf(std::numeric_limits<float>::quiet_NaN()))));
    QVERIFY(std::isnan(bf16ToFloat(floatToBf16(std::numeric_limits<float>::quiet_NaN()))));
  }

  void q8_0BlocksAreScaleAndBytes() {
    // One block by hand: max |x| = 127 gives d = 1, so q = round(x).
    std::vector<float> x(32);
    for (int i = 0; i < 32; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i * 4 - 64) + 0.25f;
    x[31] = 127.0f;
    auto bytes = encodeGgml(x, GgmlType::Q8_0, 32);
    QCOMPARE(bytes.size(), size_t(34));
    QCOMPARE(std::to_integer<int>(bytes[0]) | (std::to_integer<int>(bytes[1]) << 8), 0x3c00);  // float16 1.0
    for (int i = 0; i < 31; ++i) QCOMPARE(static_cast<int8_t>(std::to_integer<uint8_t>(bytes[2 + static_cast<size_t>(i)])), static_cast<int8_t>(i * 4 - 64));
    std::vector<float> back(32);
    decodeGgml(bytes, GgmlType::Q8_0, back);
    QCOMPARE(back[31], 127.0f);
    QCOMPARE(back[0], -64.0f);

    // Random rows: each value within half a step (d/2) of the original, plus d's float16 rounding.
    const size_t rows = 16, cols = 96;
    std::vector<float> w = randomValues(rows * cols, 3, 0.05);
    w[5] = 0;  // an all-zero block stays zero
    std::fill(w.begin() + 32, w.begin() + 64, 0.0f);
    auto q = encodeGgml(w, GgmlType::Q8_0, cols);
    QCOMPARE(q.size(), rows * cols / 32 * 34);
    std::vector<float> deq(w.size());
    decodeGgml(q, GgmlType::Q8_0, deq);
    for (size_t blk = 0; blk < w.size() / 32; ++blk) {
      float amax = 0;
      for (size_t j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(w[blk * 32 + j]));
      const float d = amax / 127;
      for (size_t j = 0; j < 32; ++j) {
        const size_t i = blk * 32 + j;
        QVERIFY2(std::fabs(deq[i] - w[i]) <= d * 0.5f + amax * 1e-3f, qPrintable(QString("value %1").arg(i)));
      }
    }
    for (size_t i = 32; i < 64; ++i) QCOMPARE(deq[i], 0.0f);

    // Rows that are not whole blocks are refused, with the reason.
    std::vector<float> odd(48, 1.0f);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, encodeGgml(odd, GgmlType::Q8_0, 48));
  }

  void metadataAndTensorsRoundTrip() {
    QTemporaryDir dir;
    const auto file = pathIn(dir, "all.gguf");
    GgufWriter w;
    w.set("general.architecture", GgufValue::string("llama"));
    w.set("t.u8", {GgufType::U8, uint64_t{200}, {}, {}});
    w.set("t.i8", {GgufType::I8, int64_t{-100}, {}, {}});
    w.set("t.u16", {GgufType::U16, uint64_t{60000}, {}, {}});
    w.set("t.i16", {GgufType::I16, int64_t{-30000}, {}, {}});
    w.set("t.u32", GgufValue::u32(4000000000u));
    w.set("t.i32", GgufValue::i32(-2000000000));
    w.set("t.u64", GgufValue::u64(1ull << 60));
    w.set("t.i64", {GgufType::I64, int64_t{-(1ll << 60)}, {}, {}});
    w.set("t.f32", GgufValue::f32(1e-5f));
    w.set("t.f64", {GgufType::F64, 0.1, {}, {}});
    w.set("t.bool", GgufValue::boolean(true));
    w.set("t.string", GgufValue::string("héllo ▁world"));
    w.set("t.strings", GgufValue::strings({"<unk>", "<s>", "", "▁the"}));
    w.set("t.floats", GgufValue::f32s({0.0f, -1.5f, 3.25f}));
    w.set("t.nested", GgufValue::array(GgufType::ARRAY, {GgufValue::i32s({1, 2}), GgufValue::i32s({3})}));
    w.set("t.u32", GgufValue::u32(7));  // setting again replaces in place

    const std::vector<float> a = randomValues(64 * 3, 5, 1.0);   // [3, 64]
    const std::vector<float> b = randomValues(7, 6, 1.0);        // [7]: 28 bytes, so the next offset needs padding
    const std::vector<float> c = randomValues(2 * 5 * 32, 7, 0.1);  // [2, 5, 32]
    w.addTensor("a.f16", {3, 64}, a, GgmlType::F16);
    w.addTensor("b.f32", {7}, b, GgmlType::F32);
    w.addTensor("c.q8", {2, 5, 32}, c, GgmlType::Q8_0);
    w.addTensor("d.bf16", {3, 64}, a, GgmlType::BF16);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, w.addTensor("a.f16", {3, 64}, a, GgmlType::F16));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, w.addTensor("wrong.size", {4, 64}, a, GgmlType::F32));
    w.write(file);
    QCOMPARE(std::filesystem::file_size(file), w.fileSize());
    QCOMPARE(std::filesystem::file_size(file) % 32, uintmax_t(0));

    GgufReader r(file);
    QCOMPARE(r.version(), 3u);
    QCOMPARE(r.alignment(), 32u);
    QCOMPARE(r.dataOffset() % 32, uint64_t(0));
    QCOMPARE(r.metadata().size(), w.metadata().size());
    QCOMPARE(r.metadata().front().first, std::string("general.alignment"));
    QCOMPARE(r.at("t.u8").asUnsigned(), uint64_t(200));
    QCOMPARE(r.at("t.i8").asSigned(), int64_t(-100));
    QCOMPARE(r.at("t.u16").asUnsigned(), uint64_t(60000));
    QCOMPARE(r.at("t.i16").asSigned(), int64_t(-30000));
    QCOMPARE(r.at("t.u32").asUnsigned(), uint64_t(7));
    QCOMPARE(r.at("t.i32").asSigned(), int64_t(-2000000000));
    QCOMPARE(r.at("t.u64").asUnsigned(), uint64_t(1) << 60);
    QCOMPARE(r.at("t.i64").asSigned(), -(int64_t(1) << 60));
    QCOMPARE(static_cast<float>(r.at("t.f32").asFloat()), 1e-5f);
    QCOMPARE(r.at("t.f64").asFloat(), 0.1);
    QCOMPARE(r.at("t.bool").asBool(), true);
    QCOMPARE(r.at("t.string").asString(), std::string("héllo ▁world"));
    QCOMPARE(r.at("t.strings").items.size(), size_t(4));
    QCOMPARE(r.at("t.strings").items[3].asString(), std::string("▁the"));
    QCOMPARE(r.at("t.floats").items[1].asFloat(), -1.5);
    QCOMPARE(r.at("t.nested").items[1].items[0].asSigned(), int64_t(3));
    QCOMPARE(r.at("t.u8").type, GgufType::U8);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, r.at("t.string").asUnsigned());
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, r.at("missing.key"));

    QCOMPARE(r.tensors().size(), size_t(4));
    for (const auto& t : r.tensors()) QCOMPARE(t.info.offset % 32, uint64_t(0));
    const auto* ta = r.findTensor("a.f16");
    QVERIFY(ta);
    QCOMPARE(ta->info.ne, (std::vector<uint64_t>{64, 3}));  // innermost first
    QCOMPARE(ta->info.torchShape(), (std::vector<int64_t>{3, 64}));
    QCOMPARE(r.findTensor("c.q8")->info.ne, (std::vector<uint64_t>{32, 5, 2}));
    QCOMPARE(r.values("b.f32"), b);  // F32 exactly
    const auto fa = r.values("a.f16");
    const auto fd = r.values("d.bf16");
    for (size_t i = 0; i < a.size(); ++i) {
      QCOMPARE(fa[i], halfToFloat(floatToHalf(a[i])));
      QCOMPARE(fd[i], bf16ToFloat(floatToBf16(a[i])));
    }
    const auto fc = r.values("c.q8");
    std::vector<float> expected(c.size());
    decodeGgml(encodeGgml(c, GgmlType::Q8_0, 32), GgmlType::Q8_0, expected);
    QCOMPARE(fc, expected);
  }

  void corruptFilesGiveClearErrors() {
    QTemporaryDir dir;
    const auto good = pathIn(dir, "good.gguf");
    GgufWriter w;
    w.set("general.architecture", GgufValue::string("llama"));
    const std::vector<float> v(64, 1.0f);
    w.addTensor("x", {2, 32}, v, GgmlType::F32);
    w.write(good);
    std::string bytes;
    {
      std::ifstream in(good, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    auto expectError = [&](const std::string& content, const char* name, const char* fragment) {
      const auto p = pathIn(dir, name);
      std::ofstream(p, std::ios::binary) << content;
      try {
        GgufReader r(p);
        QFAIL(qPrintable(QString("no error for ") + name));
      } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        QVERIFY2(what.find(p.string()) != std::string::npos, e.what());  // names the file
        QVERIFY2(what.find(fragment) != std::string::npos, e.what());
      }
    };
    expectError("GGML" + bytes.substr(4), "magic.gguf", "not a GGUF file");
    expectError(bytes.substr(0, bytes.size() - 100), "short.gguf", "past the end");
    expectError(bytes.substr(0, 40), "header.gguf", "ends inside");
    std::string v9 = bytes;
    v9[4] = 9;
    expectError(v9, "version.gguf", "version 9");
  }
};

QTEST_GUILESS_MAIN(TestGgufFormat)
#include "test_gguf_format.moc"
