// The safetensors reader and writer without LibTorch: every dtype round-trips byte for byte, the
// layout matches the reference implementation, and each kind of corrupt file fails with a message that
// names the file and the problem.
#include "core/io/SafetensorsReader.h"
#include "core/io/SafetensorsWriter.h"

#include <cstring>
#include <fstream>
#include <functional>

#include <QTemporaryDir>
#include <QtTest>

namespace {

std::vector<std::byte> pattern(size_t n, int seed) {
  std::vector<std::byte> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<std::byte>((i * 131 + seed * 17 + 7) & 0xff);
  return b;
}

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A file from a header text and a data section, with the 8-byte length written as given.
std::string rawFile(const std::string& header, size_t dataBytes, uint64_t claimedLength) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((claimedLength >> (8 * i)) & 0xff);
  out += header;
  out.append(dataBytes, '\x01');
  return out;
}
std::string rawFile(const std::string& header, size_t dataBytes) { return rawFile(header, dataBytes, header.size()); }

std::string errorOf(const std::string& path) {
  try {
    fts::SafetensorsReader r(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT
 private slots:
  void everyDtypeRoundTrips() {
    using D = fts::SafetensorsDtype;
    const std::vector<std::pair<D, std::vector<int64_t>>> specs = {
        {D::F64, {3}},     {D::F32, {2, 3}}, {D::F16, {5}},  {D::BF16, {2, 2, 2}}, {D::I64, {4}},
        {D::I32, {1, 3}},  {D::I16, {3}},    {D::I8, {7}},   {D::U8, {2, 5}},      {D::BOOL, {3}},
        {D::F32, {}},      {D::F32, {0, 4}},  // a scalar and an empty tensor
    };
    std::vector<std::vector<std::byte>> storage;
    std::vector<fts::TensorView> views;
    for (size_t i = 0; i < specs.size(); ++i) {
      const auto& [dtype, shape] = specs[i];
      storage.push_back(pattern(*fts::shapeNumel(shape) * fts::dtypeSize(dtype), static_cast<int>(i)));
      if (dtype == D::BOOL)
        for (auto& b : storage.back()) b = static_cast<std::byte>(static_cast<int>(b) & 1);
      views.push_back({"t" + std::to_string(i) + "." + std::string(fts::dtypeName(dtype)), dtype, shape,
                       storage.back()});
    }
    QTemporaryDir dir;
    const std::string path = dir.filePath("all.safetensors").toStdString();
    const fts::SafetensorsMetadata meta{{"format", "pt"}, {"note", "ünïcode \"quoted\""}};
    fts::writeSafetensors(path, views, meta);

    // The streamed file, the in-memory serialisation and the predicted size agree.
    const std::string inMemory = fts::serializeSafetensors(views, meta);
    QCOMPARE(static_cast<uint64_t>(std::filesystem::file_size(path)), static_cast<uint64_t>(inMemory.size()));
    QCOMPARE(fts::safetensorsFileSize(views, meta), static_cast<uint64_t>(inMemory.size()));
    std::ifstream in(path, std::ios::binary);
    const std::string onDisk((std::istreambuf_iterator<char>(in)), {});
    QVERIFY(onDisk == inMemory);

    // Input order does not matter: the output is sorted.
    auto reversed = views;
    std::reverse(reversed.begin(), reversed.end());
    QVERIFY(fts::serializeSafetensors(reversed, meta) == inMemory);

    fts::SafetensorsReader r(path);
    QCOMPARE(r.metadata(), meta);
    QCOMPARE(r.entries().size(), views.size());
    uint64_t headerLen = 0;
    std::memcpy(&headerLen, onDisk.data(), 8);
    QCOMPARE(headerLen % 8, uint64_t{0});  // data section 8-byte aligned
    for (const auto& v : views) {
      const auto* e = r.find(v.name);
      QVERIFY2(e, v.name.c_str());
      QCOMPARE(e->begin % fts::dtypeSize(e->dtype), uint64_t{0});  // each tensor aligned to its element
      const auto got = r.view(v.name);
      QCOMPARE(got.dtype, v.dtype);
      QCOMPARE(got.shape, v.shape);
      QCOMPARE(got.bytes.size(), v.bytes.size());
      QVERIFY(std::equal(got.bytes.begin(), got.bytes.end(), v.bytes.begin()));
    }
    QVERIFY(!r.contains("absent"));
    try {
      r.view("absent");
      QFAIL("viewing an absent tensor must throw");
    } catch (const std::runtime_error& e) {
      QVERIFY2(std::string(e.what()).find("all.safetensors") != std::string::npos, e.what());
    }
  }

  void layoutMatchesTheReferenceImplementation() {
    // Bytes produced by Hugging Face's safetensors 0.8.0 (safetensors.numpy.save): compact JSON,
    // __metadata__ first, larger element types first then by name, padded with spaces to 8 bytes.
    {
      const std::string header =
          R"({"__metadata__":{"format":"pt"},"test":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}     )";
      const std::string expected = rawFile(header, 0) + std::string(16, '\0');
      const std::vector<std::byte> zeros(16);
      const std::string ours = fts::serializeSafetensors({{"test", fts::SafetensorsDtype::F32, {2, 2}, zeros}},
                                                         {{"format", "pt"}});
      QCOMPARE(QByteArray::fromStdString(ours), QByteArray::fromStdString(expected));
    }
    {
      // save({"z": zeros(3, bool), "a": ones(2, f64), "m": ones(1, f16), "b": ones(1, f32)})
      const std::string header =
          R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},)"
          R"("m":{"dtype":"F16","shape":[1],"data_offsets":[20,22]},"z":{"dtype":"BOOL","shape":[3],"data_offsets":[22,25]}}   )";
      const std::string data("\0\0\0\0\0\0\xf0?\0\0\0\0\0\0\xf0?\0\0\x80?\0<\0\0\0", 25);
      const double f64[2] = {1.0, 1.0};
      const float f32 = 1.0f;
      const uint16_t f16 = 0x3c00;  // 1.0 in half precision
      const std::vector<std::byte> z(3);
      using D = fts::SafetensorsDtype;
      const std::string ours = fts::serializeSafetensors({
          {"z", D::BOOL, {3}, z},
          {"a", D::F64, {2}, std::as_bytes(std::span(f64))},
          {"m", D::F16, {1}, std::as_bytes(std::span(&f16, 1))},
          {"b", D::F32, {1}, std::as_bytes(std::span(&f32, 1))},
      });
      QCOMPARE(QByteArray::fromStdString(ours), QByteArray::fromStdString(rawFile(header, 0) + data));
    }
  }

  void corruptFilesNameTheProblem_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    const std::string ok = R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})";
    auto add = [](const char* tag, const std::string& bytes, const char* expected) {
      QTest::newRow(tag) << QByteArray::fromStdString(bytes) << QString(expected);
    };
    add("shorter than the length", std::string("\x05\0\0", 3), "shorter than the 8-byte header length");
    add("truncated data", rawFile(ok, 20), "run past the end of the data section (20 bytes)");
    add("header length larger than file", rawFile(ok, 24, 5000), "header length 5000 bytes is larger than the file");
    add("header too large", rawFile(ok, 24, 300ull << 20), "is over the 104857600-byte limit");
    add("bad JSON", rawFile(R"({"a":{"dtype":"F32",)", 0), "the header is not valid JSON");
    add("not an object", rawFile("[1,2,3]", 0), "does not start with '{'");
    add("unknown dtype", rawFile(R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", 2),
        "tensor 'a' has unknown dtype 'F8_E4M3'");
    add("wrong byte count", rawFile(R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20),
        "hold 20 bytes but F32 with shape [2, 3] needs 24 bytes");
    add("offsets out of range",
        rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[100,108]}})", 16),
        "tensor 'b': data_offsets [100, 108] run past the end of the data section (16 bytes)");
    add("overlapping offsets",
        rawFile(R"({"a":{"dtype":"F32","shape":[6],"data_offsets":[0,24]},"b":{"dtype":"F32","shape":[6],"data_offsets":[16,40]}})", 40),
        "tensors 'a' (data_offsets [0, 24]) and 'b' (data_offsets [16, 40]) overlap");
    add("gap between tensors",
        rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})", 24),
        "data bytes [8, 16) belong to no tensor");
    add("bytes after the last tensor", rawFile(ok, 32), "8 data bytes after the last tensor belong to no tensor");
    add("reversed offsets", rawFile(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})", 8),
        "data_offsets [8, 0] end before they begin");
    add("negative dimension", rawFile(R"({"a":{"dtype":"F32","shape":[-1,2],"data_offsets":[0,8]}})", 8),
        "shape entries must be non-negative integers");
    add("duplicated name",
        rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", 16),
        "the header names 'a' twice");
    add("metadata not strings", rawFile(R"({"__metadata__":{"n":1}})", 0), "__metadata__ value 'n' is not a string");
    add("missing dtype", rawFile(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", 8), "missing or non-string \"dtype\"");
  }

  void corruptFilesNameTheProblem() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const std::string path = dir.filePath("corrupt.safetensors").toStdString();
    writeBytes(path, bytes.toStdString());
    const std::string message = errorOf(path);
    QVERIFY2(message.rfind(path + ": ", 0) == 0, message.c_str());  // starts with the file's path
    QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
  }

  void emptyFileAndMissingFile() {
    QTemporaryDir dir;
    const std::string empty = dir.filePath("empty.safetensors").toStdString();
    writeBytes(empty, "");
    QVERIFY(errorOf(empty).find("the file is 0 bytes") != std::string::npos);
    const std::string missing = dir.filePath("missing.safetensors").toStdString();
    const std::string m = errorOf(missing);
    QVERIFY2(m.find("missing.safetensors: cannot open for reading") != std::string::npos, m.c_str());
  }

  void aFileWithNoTensorsIsValid() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("none.safetensors").toStdString();
    fts::writeSafetensors(path, {}, {{"k", "v"}});
    fts::SafetensorsReader r(path);
    QVERIFY(r.entries().empty());
    QCOMPARE(r.metadata().at("k"), std::string("v"));
  }

  void writerRejectsInvalidTensors() {
    const std::vector<std::byte> eight(8);
    using D = fts::SafetensorsDtype;
    auto rejects = [](const std::vector<fts::TensorView>& v, const std::string& needle) {
      try {
        fts::serializeSafetensors(v);
      } catch (const std::invalid_argument& e) {
        return std::string(e.what()).find(needle) != std::string::npos;
      }
      return false;
    };
    QVERIFY(rejects({{"a", D::F32, {2}, eight}, {"a", D::F32, {2}, eight}}, "tensor 'a': the name appears twice"));
    QVERIFY(rejects({{"a", D::F32, {3}, eight}}, "8 bytes given, but F32 with shape [3] needs 12"));
    QVERIFY(rejects({{"__metadata__", D::U8, {8}, eight}}, "reserved"));
    QVERIFY(rejects({{"", D::U8, {8}, eight}}, "needs a name"));

    // A failed write leaves neither the final file nor a temporary one behind.
    QTemporaryDir dir;
    const std::string path = dir.filePath("bad.safetensors").toStdString();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fts::writeSafetensors(path, {{"a", D::F32, {3}, eight}}));
    QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
  }

  void rewritingReplacesTheFileWhole() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("w.safetensors").toStdString();
    const auto a = pattern(400, 1), b = pattern(8, 2);
    fts::writeSafetensors(path, {{"big", fts::SafetensorsDtype::U8, {400}, a}});
    fts::writeSafetensors(path, {{"small", fts::SafetensorsDtype::U8, {8}, b}});
    fts::SafetensorsReader r(path);
    QCOMPARE(r.entries().size(), size_t{1});
    QCOMPARE(r.entries()[0].name, std::string("small"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);  // no temporary file left over
  }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
