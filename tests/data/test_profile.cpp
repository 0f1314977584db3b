// The Dataset panel's numbers: classes, imbalance, duplicates, leakage, lengths, CJK share.
#include "DataTestSupport.h"

#include "core/data/DatasetProfile.h"
#include "core/data/Duplicates.h"
#include "core/data/TextMeasure.h"
#include "core/data/TextNormalization.h"
#include "core/data/Utf8.h"

using namespace fts::data;
using fts::data::test::fixture;

namespace {
Dataset makeSet(std::initializer_list<std::pair<const char*, const char*>> rows) {
  Dataset d;
  d.source = "mem.csv";
  std::int64_t line = 2;
  for (const auto& [text, label] : rows) d.samples.push_back(Sample{text, label, {}, line++, -1});
  return d;
}
}  // namespace

class TestProfile : public QObject {
  Q_OBJECT
 private slots:
  void measuresText() {
    const auto m = measureText("Hello, wide world! 你好世界");
    QCOMPARE(m.characters, std::int64_t{23});
    QCOMPARE(m.cjk, std::int64_t{4});
    QCOMPARE(m.nonSpace, std::int64_t{20});
    QCOMPARE(m.approxTokens, std::int64_t{3 + 4});  // three words + one per CJK character
    QCOMPARE(measureText("").characters, std::int64_t{0});
    QVERIFY(isCjk(U'あ') && isCjk(U'한') && isCjk(U'。') && !isCjk(U'é'));
  }

  void utf8Checks() {
    QVERIFY(!findUtf8Problem("plain ascii and 中文 and é"));
    const auto nul = findUtf8Problem(std::string_view("abcdefghij\0k", 12));
    QVERIFY(nul && nul->kind == Utf8Problem::Kind::NulByte && nul->offset == 10);
    const auto bad = findUtf8Problem("0123456789\xC3\x28");
    QVERIFY(bad && bad->kind == Utf8Problem::Kind::InvalidUtf8 && bad->offset == 10 && bad->byte == 0xC3);
    QCOMPARE(firstInvalidUtf8("ok\xF4\x90\x80\x80"), std::optional<std::size_t>(2));  // above U+10FFFF
    QCOMPARE(countCodePoints("a中b"), std::size_t{3});
  }

  void normalizesForDuplicates() {
    QCOMPARE(normalizeForDuplicates("  Hello,   WORLD!! "), std::string("hello world"));
    QCOMPARE(normalizeForDuplicates("hello world"), std::string("hello world"));
    QCOMPARE(normalizeForDuplicates("ÉCOLE"), std::string("école"));
    QCOMPARE(normalizeForDuplicates("你好，世界。"), std::string("你好 世界"));
    QCOMPARE(normalizeForDuplicates("ＡＢＣ１"), std::string("abc1"));  // full-width forms
  }

  void lengthSummary() {
    std::vector<std::int64_t> v;
    for (int i = 1; i <= 100; ++i) v.push_back(i);
    const auto s = summarizeLengths(v, 90, 10);
    QCOMPARE(s.count, std::int64_t{100});
    QCOMPARE(s.min, std::int64_t{1});
    QCOMPARE(s.max, std::int64_t{100});
    QCOMPARE(s.p50, std::int64_t{50});
    QCOMPARE(s.p90, std::int64_t{90});
    QCOMPARE(s.p99, std::int64_t{99});
    QCOMPARE(s.mean, 50.5);
    QCOMPARE(s.overLimit, std::int64_t{10});
    // Width 20 (a 1-2-5 number at least 101/10): bins [0,20) ... [100,120).
    QCOMPARE(s.histogram.size(), std::size_t{6});
    QCOMPARE(s.histogram[0].to, std::int64_t{20});
    QCOMPARE(s.histogram[0].count, std::int64_t{19});
    std::int64_t total = 0;
    for (const auto& b : s.histogram) total += b.count;
    QCOMPARE(total, std::int64_t{100});
    QCOMPARE(summarizeLengths({}).count, std::int64_t{0});
  }

  void duplicatesExactNormalizedAndConflicting() {
    const auto r = loadDataset(fixture("good/dups.csv"));
    const auto d = findDuplicates(r.dataset, allRows(r.dataset));
    // "Hello world" (row 2) repeated exactly at row 3; "hello   WORLD!" and "hello, world" match it normalized.
    QCOMPARE(d.exact, std::int64_t{1});
    QCOMPARE(d.normalized, std::int64_t{3});
    QCOMPARE(d.conflicting, std::int64_t{1});  // "hello   WORLD!" is labelled b, the first a
    QCOMPARE(d.examples.size(), std::size_t{3});
    QCOMPARE(d.examples[0].row, std::size_t{2});
    QCOMPARE(d.examples[0].first, std::size_t{0});
    QVERIFY(d.examples[0].exact);
    QCOMPARE(r.dataset.where(d.examples[0].row), fixture("good/dups.csv") + ":4");
  }

  void leakageBetweenSets() {
    const Dataset train = makeSet({{"alpha beta", "a"}, {"gamma", "b"}, {"delta", "a"}});
    const Dataset val = makeSet({{"Alpha, Beta!", "a"}, {"gamma", "b"}, {"new text", "a"}});
    const auto l = findLeakage(train, allRows(train), val, allRows(val));
    QCOMPARE(l.rows, std::int64_t{3});
    QCOMPARE(l.exact, std::int64_t{1});
    QCOMPARE(l.normalized, std::int64_t{2});
    QCOMPARE(l.examples[0].row, std::size_t{0});
    QCOMPARE(l.examples[0].first, std::size_t{0});
    QVERIFY(!l.examples[0].exact);
    // Only the rows given count: without row 1 of train, "gamma" does not leak.
    QCOMPARE(findLeakage(train, {0, 2}, val, allRows(val)).normalized, std::int64_t{1});
  }

  void profileOfAFile() {
    const auto r = loadDataset(fixture("good/cjk.csv"));
    ProfileOptions o;
    o.maxTokens = 8;
    const auto p = profileDataset(r.dataset, o);
    QCOMPARE(p.rows, std::int64_t{4});
    QCOMPARE(p.classes.size(), std::size_t{2});
    QCOMPARE(p.classes[0].label, std::string("en"));
    QCOMPARE(p.classes[0].count, std::int64_t{2});
    QCOMPARE(p.classes[0].share, 0.5);
    QCOMPARE(p.imbalanceRatio, 1.0);
    QCOMPARE(p.cjkRows, std::int64_t{2});
    // 24 CJK characters (punctuation included) + 2 in "mixed 中文 text", of 24 + 10 + 11 non-space.
    QCOMPARE(p.cjkShare, 26.0 / 45.0);
    QVERIFY(p.tokensApproximate);
    QCOMPARE(p.tokens.max, std::int64_t{12});
    QCOMPARE(p.tokens.overLimit, std::int64_t{2});
    QCOMPARE(p.characters.max, std::int64_t{13});
    QVERIFY(!p.warnings.empty());
    QVERIFY(p.warnings[0].starts_with("2 rows (50.0%) are longer than 8 tokens (approximately)"));
    // The lengths kept for recounting agree with the count at the profile's own limit, and recount at others.
    QCOMPARE(p.tokenLengths.size(), std::size_t{4});
    QVERIFY(std::is_sorted(p.tokenLengths.begin(), p.tokenLengths.end()));
    QCOMPARE(countLongerThan(p.tokenLengths, 8), p.tokens.overLimit);
    QCOMPARE(countLongerThan(p.tokenLengths, p.tokens.max), std::int64_t{0});
    QCOMPARE(countLongerThan(p.tokenLengths, 0), std::int64_t{4});
  }

  void tokenCounterIsUsedWhenGiven() {
    const Dataset d = makeSet({{"a b c", "x"}, {"d", "y"}});
    ProfileOptions o;
    o.countTokens = [](std::string_view t) { return static_cast<std::int64_t>(t.size()); };  // bytes as "tokens"
    const auto p = profileDataset(d, o);
    QVERIFY(!p.tokensApproximate);
    QCOMPARE(p.tokens.max, std::int64_t{5});
  }

  void imbalanceWarning() {
    Dataset d;
    for (int i = 0; i < 50; ++i) d.samples.push_back(Sample{"big " + std::to_string(i), "big", {}, i + 2, -1});
    for (int i = 0; i < 5; ++i) d.samples.push_back(Sample{"small " + std::to_string(i), "small", {}, i + 60, -1});
    const auto p = profileDataset(d);
    QCOMPARE(p.imbalanceRatio, 10.0);
    QCOMPARE(p.warnings.size(), std::size_t{1});
    QCOMPARE(p.warnings[0], std::string("classes are imbalanced: 'big' has 50 rows, 'small' only 5 (10.0x); add samples "
                                        "of the small classes, or weight the loss by class"));
  }
};

QTEST_GUILESS_MAIN(TestProfile)
#include "test_profile.moc"
