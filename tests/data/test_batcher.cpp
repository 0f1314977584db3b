// Batching: truncation, dynamic padding, masks, length bucketing, a deterministic order per epoch,
// and a position that is saved and restored exactly.
#include "core/data/Batcher.h"
#include "core/data/Truncation.h"

#include <QtTest>

#include <set>

using namespace fts::data;

namespace {

std::vector<std::vector<int>> sequencesOfLengths(const std::vector<int>& lengths) {
  std::vector<std::vector<int>> out;
  int next = 100;
  for (int n : lengths) {
    std::vector<int> s;
    for (int i = 0; i < n; ++i) s.push_back(next++);
    out.push_back(s);
  }
  return out;
}

std::int64_t padding(const PaddedBatch& b) { return static_cast<std::int64_t>(b.rows * b.cols) - b.tokens(); }

}  // namespace

class TestBatcher : public QObject {
  Q_OBJECT
 private slots:
  void truncationKeepsTheChosenEnds() {
    const std::vector<int> ids{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    QCOMPARE(truncateIds(ids, 4, Truncation::KeepHead), (std::vector<int>{1, 2, 3, 4}));
    QCOMPARE(truncateIds(ids, 4, Truncation::KeepTail), (std::vector<int>{7, 8, 9, 10}));
    QCOMPARE(truncateIds(ids, 4, Truncation::KeepHeadAndTail, 0.25), (std::vector<int>{1, 8, 9, 10}));
    QCOMPARE(truncateIds(ids, 4, Truncation::KeepHeadAndTail, 0.5), (std::vector<int>{1, 2, 9, 10}));
    QCOMPARE(truncateIds(ids, 20, Truncation::KeepTail), ids);
    Truncation t;
    QVERIFY(parseTruncation("head+tail", t) && t == Truncation::KeepHeadAndTail);
    QVERIFY(!parseTruncation("middle", t));
    QCOMPARE(std::string(toString(Truncation::KeepTail)), std::string("tail"));
  }

  void padsToTheLongestRowWithMasksAndLengths() {
    BatchOptions o;
    o.batchSize = 3;
    o.shuffle = false;
    o.bucketByLength = false;
    o.padId = 0;
    o.bosId = 1;
    o.eosId = 2;
    o.maxLen = 6;
    Batcher b({{10, 11}, {20}, {30, 31, 32, 33, 34, 35, 36}}, o);
    const PaddedBatch p = b.next();
    QCOMPARE(p.rows, std::size_t{3});
    QCOMPARE(p.cols, std::size_t{6});  // the third row, truncated to maxLen with BOS and EOS kept
    QCOMPARE(p.ids, (std::vector<std::int64_t>{1, 10, 11, 2, 0, 0,  //
                                               1, 20, 2, 0, 0, 0,   //
                                               1, 30, 31, 32, 33, 2}));
    QCOMPARE(p.mask, (std::vector<std::uint8_t>{1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1}));
    QCOMPARE(p.lengths, (std::vector<std::int64_t>{4, 3, 6}));
    QCOMPARE(p.indices, (std::vector<std::size_t>{0, 1, 2}));
    QCOMPARE(p.tokens(), std::int64_t{13});
    QCOMPARE(p.epoch, std::int64_t{0});
  }

  void widthIsPerBatchAndRoundsToAMultiple() {
    BatchOptions o;
    o.batchSize = 2;
    o.shuffle = false;
    o.bucketByLength = false;
    o.padToMultiple = 4;
    o.maxLen = 10;
    Batcher b(sequencesOfLengths({1, 2, 9, 3}), o);
    QCOMPARE(b.next().cols, std::size_t{4});   // longest 2, rounded up to 4
    QCOMPARE(b.next().cols, std::size_t{10});  // longest 9, rounded to 12 but never past maxLen
  }

  void everyEpochCoversEverySequenceOnce() {
    BatchOptions o;
    o.batchSize = 7;
    o.seed = 5;
    o.bucketBatches = 2;
    std::vector<int> lengths;
    for (int i = 0; i < 100; ++i) lengths.push_back(1 + (i * 37) % 50);
    Batcher b(sequencesOfLengths(lengths), o);
    QCOMPARE(b.batchesPerEpoch(), std::size_t{15});
    for (int epoch = 0; epoch < 3; ++epoch) {
      std::multiset<std::size_t> seen;
      for (std::size_t k = 0; k < b.batchesPerEpoch(); ++k) {
        const PaddedBatch p = b.next();
        QCOMPARE(p.epoch, std::int64_t{epoch});
        QCOMPARE(p.step, static_cast<std::int64_t>(k));
        seen.insert(p.indices.begin(), p.indices.end());
      }
      QCOMPARE(seen.size(), std::size_t{100});
      QCOMPARE(std::set<std::size_t>(seen.begin(), seen.end()).size(), std::size_t{100});
    }
  }

  void orderIsSeededAndChangesPerEpoch() {
    BatchOptions o;
    o.batchSize = 4;
    o.seed = 11;
    std::vector<int> lengths(64, 3);
    Batcher a(sequencesOfLengths(lengths), o), b(sequencesOfLengths(lengths), o);
    QCOMPARE(a.epochPlan(0), b.epochPlan(0));
    QVERIFY(a.epochPlan(0) != a.epochPlan(1));
    o.seed = 12;
    Batcher c(sequencesOfLengths(lengths), o);
    QVERIFY(c.epochPlan(0) != a.epochPlan(0));
  }

  void bucketingCutsPadding() {
    std::vector<int> lengths;
    for (int i = 0; i < 512; ++i) lengths.push_back(1 + (i * 7919) % 120);
    BatchOptions o;
    o.batchSize = 16;
    o.maxLen = 128;
    o.seed = 3;
    auto totalPadding = [&](bool bucket) {
      o.bucketByLength = bucket;
      Batcher b(sequencesOfLengths(lengths), o);
      std::int64_t pad = 0;
      for (std::size_t k = 0; k < b.batchesPerEpoch(); ++k) pad += padding(b.next());
      return pad;
    };
    const auto without = totalPadding(false), with = totalPadding(true);
    QVERIFY2(with * 5 < without, (std::to_string(with) + " vs " + std::to_string(without)).c_str());
  }

  void positionIsSavedAndRestored() {
    BatchOptions o;
    o.batchSize = 5;
    o.seed = 77;
    std::vector<int> lengths;
    for (int i = 0; i < 23; ++i) lengths.push_back(1 + i % 9);
    Batcher a(sequencesOfLengths(lengths), o);
    for (int k = 0; k < 7; ++k) a.next();  // into the second epoch
    const BatchPosition saved = a.position();
    QCOMPARE(saved.epoch, std::int64_t{1});
    QCOMPARE(saved.cursor, std::int64_t{2});
    const std::string json = toJson(saved);
    std::vector<std::vector<std::size_t>> expected;
    for (int k = 0; k < 9; ++k) expected.push_back(a.next().indices);

    Batcher b(sequencesOfLengths(lengths), o);
    b.restore(batchPositionFromJson(json));
    for (int k = 0; k < 9; ++k) QCOMPARE(b.next().indices, expected[static_cast<std::size_t>(k)]);

    Batcher other(sequencesOfLengths({1, 2, 3}), o);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, other.restore(saved));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, batchPositionFromJson("{\"seed\": 1}"));
  }

  void dropLastAndBadOptions() {
    BatchOptions o;
    o.batchSize = 4;
    o.dropLast = true;
    o.shuffle = false;
    Batcher b(sequencesOfLengths(std::vector<int>(10, 2)), o);
    QCOMPARE(b.batchesPerEpoch(), std::size_t{2});
    QCOMPARE(b.epochPlan(0).size(), std::size_t{2});
    o.batchSize = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Batcher(sequencesOfLengths({1}), o));
    o.batchSize = 1;
    o.bosId = 1;
    o.eosId = 2;
    o.maxLen = 2;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Batcher(sequencesOfLengths({1}), o));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Batcher({}, BatchOptions{}));
  }
};

QTEST_GUILESS_MAIN(TestBatcher)
#include "test_batcher.moc"
