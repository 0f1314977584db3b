// Validation splits: sizes by rule, stratified, seeded and the same everywhere; stored with a run
// and restored; fingerprints and the hash behind them.
#include "DataTestSupport.h"

#include "core/data/Fingerprint.h"
#include "core/data/Hash64.h"
#include "core/data/SeededShuffle.h"
#include "core/data/Split.h"
#include "core/data/SplitFile.h"

#include <numeric>
#include <set>

using namespace fts::data;
using fts::data::test::writeFile;

namespace {

Dataset classes(std::initializer_list<std::pair<const char*, int>> counts) {
  Dataset d;
  for (const auto& [label, n] : counts)
    for (int i = 0; i < n; ++i) d.samples.push_back(Sample{std::string(label) + " text " + std::to_string(i), label, {}, 0, -1});
  return d;
}

void checkPartition(const Split& s, std::size_t n) {
  std::vector<std::size_t> all = s.train;
  all.insert(all.end(), s.validation.begin(), s.validation.end());
  std::sort(all.begin(), all.end());
  std::vector<std::size_t> want(n);
  std::iota(want.begin(), want.end(), std::size_t{0});
  QCOMPARE(all, want);
  QVERIFY(std::is_sorted(s.train.begin(), s.train.end()));
  QVERIFY(std::is_sorted(s.validation.begin(), s.validation.end()));
}

}  // namespace

class TestSplit : public QObject {
  Q_OBJECT
 private slots:
  void fractionBySize() {
    QCOMPARE(validationFractionForSize(49), 0.0);
    QCOMPARE(validationFractionForSize(50), 0.10);
    QCOMPARE(validationFractionForSize(500), 0.10);
    QCOMPARE(validationFractionForSize(501), 0.05);

    const auto tiny = splitForValidation(classes({{"a", 20}, {"b", 29}}), -1, 1);
    QVERIFY(tiny.validation.empty());
    QCOMPARE(tiny.train.size(), std::size_t{49});
    QVERIFY(tiny.warning.starts_with("only 49 rows, too few to set some aside for validation"));

    const auto small = splitForValidation(classes({{"a", 100}, {"b", 100}}), -1, 1);
    QCOMPARE(small.validation.size(), std::size_t{20});
    checkPartition(small, 200);
    QCOMPARE(small.note, std::string("validation: 20 of 200 rows (10%, stratified, seed 1)"));

    const auto big = splitForValidation(classes({{"a", 600}, {"b", 400}}), -1, 1);
    QCOMPARE(big.validation.size(), std::size_t{50});
    checkPartition(big, 1000);
  }

  void stratifiedWithAtLeastOnePerClass() {
    const Dataset d = classes({{"big", 180}, {"mid", 15}, {"two", 2}, {"one", 1}});
    const auto s = splitForValidation(d, 0.10, 7);
    checkPartition(s, d.samples.size());
    std::map<std::string, int> val, train;
    for (auto i : s.validation) ++val[d.samples[i].label];
    for (auto i : s.train) ++train[d.samples[i].label];
    QCOMPARE(val["big"], 18);
    QCOMPARE(val["mid"], 2);   // round(1.5)
    QCOMPARE(val["two"], 1);   // at least one in validation, and one kept for training
    QCOMPARE(train["two"], 1);
    QCOMPARE(val["one"], 0);   // a single sample stays in training, with a warning
    QCOMPARE(train["one"], 1);
    QVERIFY(s.warning.find("'one'") != std::string::npos);
  }

  void deterministicBySeedAndTheSameEverywhere() {
    const Dataset d = classes({{"a", 40}, {"b", 30}});
    const auto s1 = splitForValidation(d, 0.1, 42);
    const auto s2 = splitForValidation(d, 0.1, 42);
    QCOMPARE(s1.validation, s2.validation);
    QVERIFY(splitForValidation(d, 0.1, 43).validation != s1.validation);
    // Pinned: our own RNG and shuffle, so these indices must not change across compilers or
    // platforms (std::shuffle would). If this fails, stored runs no longer reproduce.
    QCOMPARE(s1.validation, (std::vector<std::size_t>{0, 11, 21, 36, 48, 59, 65}));
    // Adding a class leaves the split of the others unchanged.
    Dataset more = d;
    for (int i = 0; i < 30; ++i) more.samples.push_back(Sample{"c " + std::to_string(i), "c", {}, 0, -1});
    const auto s3 = splitForValidation(more, 0.1, 42);
    std::vector<std::size_t> ab;
    for (auto i : s3.validation)
      if (i < d.samples.size()) ab.push_back(i);
    QCOMPARE(ab, s1.validation);
  }

  void seededRandomIsPinned() {
    SeededRandom r(12345);
    QCOMPARE(r.next(), std::uint64_t{2454886589211414944ull});
    std::vector<int> v{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    SeededRandom s(1);
    seededShuffle(v, s);
    QCOMPARE(v, (std::vector<int>{9, 0, 1, 4, 8, 2, 3, 7, 6, 5}));
    for (int i = 0; i < 1000; ++i) QVERIFY(r.below(7) < 7);
  }

  void hashIsStableAndStreams() {
    QCOMPARE(toHex64(hash64("")), std::string("d8a310150df90781"));
    QCOMPARE(toHex64(hash64("hello world")), std::string("537f6f236df61e16"));
    QVERIFY(hash64("a") != hash64(std::string_view("a\0", 2)));
    const std::string text = "The quick brown fox jumps over the lazy dog, twice over and again.";
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      Hasher64 h;
      h.update(std::string_view(text).substr(0, cut));
      h.update(std::string_view(text).substr(cut));
      QCOMPARE(h.digest(), hash64(text));
    }
    std::uint64_t v = 0;
    QVERIFY(fromHex64(toHex64(0xDEADBEEF12345678ull), v) && v == 0xDEADBEEF12345678ull);
    QVERIFY(!fromHex64("xyz", v));
  }

  void fingerprints() {
    QTemporaryDir dir;
    const auto a = writeFile(dir, "a.csv", "text,label\nx,1\n");
    const auto b = writeFile(dir, "b.csv", "text,label\nx,2\n");
    QCOMPARE(fingerprintFile(a).size(), std::size_t{16});
    QCOMPARE(fingerprintFile(a), fingerprintFile(a));
    QVERIFY(fingerprintFile(a) != fingerprintFile(b));
    writeFile(dir, "f/pos/1.txt", "good");
    const auto before = fingerprintFile(dir.filePath("f").toStdString());
    writeFile(dir, "f/pos/1.txt", "gooD");
    QVERIFY(fingerprintFile(dir.filePath("f").toStdString()) != before);
    const Dataset d1 = classes({{"a", 3}});
    Dataset d2 = d1;
    QCOMPARE(fingerprintSamples(d1), fingerprintSamples(d2));
    d2.samples[1].label = "b";
    QVERIFY(fingerprintSamples(d1) != fingerprintSamples(d2));
  }

  void storedWithTheRunAndRestored() {
    QTemporaryDir dir;
    const auto data = writeFile(dir, "d.csv", "text,label\n");
    const Dataset d = classes({{"a", 40}, {"b", 40}});
    const Split s = splitForValidation(d, -1, 9);
    const auto rec = makeSplitRecord(d, data, s);
    const std::string file = dir.filePath("run/split.json").toStdString();
    std::filesystem::create_directories(dir.filePath("run").toStdString());
    writeSplitFile(file, rec);
    const SplitRecord back = readSplitFile(file);
    QCOMPARE(back.split.train, s.train);
    QCOMPARE(back.split.validation, s.validation);
    QCOMPARE(back.split.seed, std::uint64_t{9});
    QCOMPARE(back.split.fraction, 0.10);
    QCOMPARE(back.rows, std::int64_t{80});
    QCOMPARE(back.fileFingerprint, fingerprintFile(data));
    QCOMPARE(back.samplesFingerprint, fingerprintSamples(d));
    QCOMPARE(restoreSplit(file, d).validation, s.validation);

    Dataset changed = d;
    changed.samples[3].text += "!";
    try {
      restoreSplit(file, changed);
      QFAIL("changed data must not restore");
    } catch (const DataError& e) {
      QVERIFY(e.issues()[0].message.starts_with("the data changed since this split was made (80 rows, fingerprint "));
      QCOMPARE(e.issues()[0].file, file);
    }
  }

  void malformedSplitFiles() {
    QTemporaryDir dir;
    auto expect = [&](const std::string& content, const std::string& message) {
      const auto f = writeFile(dir, "s.json", content);
      try {
        readSplitFile(f);
        QFAIL(("must throw: " + content).c_str());
      } catch (const DataError& e) {
        QCOMPARE(e.issues()[0].message, message);
      }
    };
    const std::string head = R"({"format":"ftstudio-split","version":1,"data_file":"d","file_fingerprint":"","samples_fingerprint":"0","rows":3,"seed":1,"fraction":0.1,)";
    expect("{oops", "not a split file (invalid JSON)");
    expect(R"({"format":"other"})", "not a split file (format is not 'ftstudio-split')");
    expect(R"({"format":"ftstudio-split","version":9})", "split file version 9 is not supported (expected 1): use the version of ftstudio that wrote it");
    expect(head + R"("train":[0,1],"validation":[3]})", "malformed split file: index 3 is beyond the 3 rows");
    expect(head + R"("train":[0,1],"validation":[1]})", "malformed split file: row 1 appears twice");
    expect(head + R"("train":"x","validation":[1]})",
           "malformed split file: [json.exception.type_error.302] type must be array, but is string");
  }
};

QTEST_GUILESS_MAIN(TestSplit)
#include "test_split.moc"
