// `ftstudio data overlap`: every overlapping pair as CORPUS:LINE overlaps AGAINST:LINE: "<shared>",
// files in any format the loader reads, exit 0 (none), 1 (some), 2 (a file that cannot be used).
#include "tests/common/FtstudioProcess.h"
#include "DataTestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

using fts::data::test::writeFile;

namespace {

using fts::test::ftstudio;
using fts::test::lastJsonObject;

QString q(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

class TestCliOverlap : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::string corpus_, quotes_, poems_, fortune_;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    // One document per line, as the pretraining corpus is written.
    corpus_ = writeFile(dir_, "corpus.txt",
                        "A dictionary entry about nothing in particular, long enough to hold many words.\n"
                        "magic 1. As yet unexplained; see Clarke's Third Law: \"Any sufficiently advanced technology "
                        "is indistinguishable from magic.\" 2. Working.\n"
                        "今夜读诗：疑是地上霜。举头望明月，心中想起故乡。\n"
                        "GIGO: garbage in, gospel out.\n");
    quotes_ = writeFile(dir_, "quotes.csv",
                        "text,label\n"
                        "\"Computers are useless. They can only give you answers.\",computers\n"
                        "\"Any sufficiently advanced technology is indistinguishable from magic.\n-- Arthur C. Clarke\",science\n");
    poems_ = writeFile(dir_, "poems.jsonl",
                       "{\"prompt\": \"《静夜思》李白\", \"response\": \"床前明月光，\\n疑是地上霜。\\n举头望明月，\\n低头思故乡。\"}\n");
    // A fortune file with ANSI colour escapes, as Debian ships them.
    fortune_ = writeFile(dir_, "fortunes", "\x1b[32mHello there, friend\x1b[m\n%\nGarbage In, Gospel Out\n%\n");
  }

  void reportsEveryPairAndExitsOne() {
    const auto r = ftstudio({"data", "overlap", "--corpus", q(corpus_), "--against", q(quotes_), q(poems_), q(fortune_)});
    QVERIFY(!r.crashed);
    QCOMPARE(r.code, 1);
    const QString expected = q(corpus_) + ":2 overlaps " + q(quotes_) +
                             ":3: \"Any sufficiently advanced technology is indistinguishable from magic\"\n" + q(corpus_) +
                             ":3 overlaps " + q(poems_) + ":1: \"疑是地上霜。举头望明月\"\n" + q(corpus_) + ":4 overlaps " +
                             q(fortune_) + ":3: \"garbage in, gospel out\"\n";
    QCOMPARE(QString::fromUtf8(r.out), expected);
    QVERIFY2(r.err.contains("overlap: 3 of 4 texts share a run with the 5 texts checked against (3 pairs; runs of 8 words or 10 CJK characters)"),
             r.err.constData());
  }

  void jsonListsPairs() {
    const auto r = ftstudio({"data", "overlap", "--corpus", q(corpus_), "--against", q(poems_), "--json"});
    QCOMPARE(r.code, 1);
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["check"].toObject()["ngram_words"].toInt(), 8);
    QCOMPARE(j["check"].toObject()["ngram_chars"].toInt(), 10);
    QCOMPARE(j["texts_checked"].toInt(), 4);
    QCOMPARE(j["texts_against"].toInt(), 1);
    QCOMPARE(j["overlapping_pairs"].toInt(), 1);
    const QJsonArray pairs = j["overlaps"].toArray();
    QCOMPARE(pairs.size(), 1);
    const QJsonObject p = pairs[0].toObject();
    QCOMPARE(p["corpus_file"].toString(), q(corpus_));
    QCOMPARE(p["corpus_line"].toInt(), 3);
    QCOMPARE(p["against_file"].toString(), q(poems_));
    QCOMPARE(p["against_line"].toInt(), 1);
    QCOMPARE(p["unit"].toString(), QString("chars"));
    QCOMPARE(p["units"].toInt(), 10);
    QCOMPARE(p["shared"].toString(), QString("疑是地上霜。举头望明月"));
  }

  void sizesCanBeChosen() {
    // 12 characters: the 10 shared ones are no longer enough; 9 words: neither is the quotation.
    const auto r = ftstudio({"data", "overlap", "--corpus", q(corpus_), "--against", q(quotes_), q(poems_), "--ngram-words",
                            "9", "--ngram-chars", "12"});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.contains("no overlap: 4 texts checked against 3 texts (runs of 9 words or 12 CJK characters)"), r.err.constData());
  }

  void noOverlapExitsZero() {
    const std::string clean = writeFile(dir_, "clean.txt", "Nothing here is quoted from anywhere at all.\n床前无月\n");
    const auto r = ftstudio({"data", "overlap", "--corpus", q(clean), "--against", q(quotes_), q(poems_)});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QByteArray());
    QVERIFY(r.err.startsWith("no overlap: 2 texts checked against 3 texts"));
  }

  void unusableInputExitsTwo() {
    const std::string empty = writeFile(dir_, "empty.txt", "");
    auto r = ftstudio({"data", "overlap", "--corpus", q(empty), "--against", q(quotes_)});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(q(empty + ": file is empty").toUtf8()), r.err.constData());
    r = ftstudio({"data", "overlap", "--corpus", q(corpus_), "--against", q(dir_.filePath("missing.csv").toStdString())});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("missing.csv: no such file or folder"), r.err.constData());
    // A bad row is a row left unchecked: the whole file is refused, with its line.
    const std::string bad = writeFile(dir_, "bad.csv", "text,label\n\"fine\",a\n\"unterminated,b\n");
    r = ftstudio({"data", "overlap", "--corpus", q(corpus_), "--against", q(bad)});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(q(bad + ":3").toUtf8()), r.err.constData());
    r = ftstudio({"data", "overlap", "--corpus", q(corpus_)});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--against is required"));
  }
};

QTEST_GUILESS_MAIN(TestCliOverlap)
#include "test_cli_overlap.moc"
