// `ftstudio augment`: writes the augmented file in the input's format with source_row and
// augment_ops, the change log beside it (each line replays on its source row), leaves originals
// out on request, previews with [old->new] markers when not on a terminal, and exits 2 with
// FILE:LINE for bad input.
#include "tests/common/FtstudioProcess.h"

#include "core/augment/ChangeLog.h"
#include "core/data/DatasetLoader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <map>

namespace {

using fts::test::ftstudio;
using fts::test::lastJsonObject;

std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

QString q(const std::string& s) { return QString::fromStdString(s); }

std::vector<std::string> lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

class TestCliAugment : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::string csv_, synonyms_;
  std::map<std::int64_t, std::string> sourceText_;  // line -> text of the input

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    csv_ = writeFile(dir_, "reviews.csv",
                     "text,label\n"
                     "\"The food was great, and the service was quick.\",pos\n"
                     "\"A terrible meal: cold soup and rude waiters.\",neg\n"
                     "\"We loved the quiet garden\nand the friendly staff.\",pos\n"
                     "\"今天的菜很好吃，服务也很周到。\",pos\n");
    synonyms_ = writeFile(dir_, "syn.txt", "great fine excellent\nquick fast\nterrible awful\nmeal dinner\ncold chilly\n"
                                           "loved adored\nquiet calm\ngarden yard\nfriendly kind\n好吃 美味\n周到 细致\n");
    fts::data::LoadOptions o;
    for (const auto& s : fts::data::loadDataset(csv_).dataset.samples) sourceText_[s.line] = s.text;
    QCOMPARE(sourceText_.size(), std::size_t{4});
  }

  void writesFileAndLog() {
    const std::string out = dir_.filePath("aug.csv").toStdString();
    const auto r = ftstudio({"augment", "--data", q(csv_), "--ops", "sr=0.2,ri=0.2,rs=0.2,rd=0.2", "--n", "4", "--seed", "7",
                             "--out", q(out), "--synonyms", q(synonyms_), "--json"});
    QVERIFY(!r.crashed);
    QVERIFY2(r.code == 0, r.err.constData());
    const auto j = lastJsonObject(r.out);
    QCOMPARE(j["source_rows"].toInt(), 4);
    QCOMPARE(j["format"].toString(), QString("csv"));
    const int variants = j["variants"].toInt();
    QVERIFY(variants >= 12);
    QCOMPARE(j["rows_written"].toInt(), 4 + variants);

    // The output reads back with the data loaders: columns text, label, source_row, augment_ops.
    QVERIFY(lines(out).front() == "text,label,source_row,augment_ops");
    fts::data::LoadOptions o;
    o.textColumn = "text";
    o.labelColumn = "label";
    const auto back = fts::data::loadDataset(out, o);
    QCOMPARE(back.dataset.samples.size(), std::size_t(4 + variants));

    // One log line per variant; each replays on the text of its source row.
    const std::string log = (std::filesystem::path(out).parent_path() / "aug.changes.jsonl").string();
    QCOMPARE(j["log"].toString(), q(log));
    const auto logLines = lines(log);
    QCOMPARE(int(logLines.size()), variants);
    for (std::size_t i = 0; i < logLines.size(); ++i) {
      const auto v = fts::augment::parseJsonLine(logLines[i], log + ":" + std::to_string(i + 1));
      QVERIFY(sourceText_.count(v.sourceRow));
      QCOMPARE(fts::augment::applyChangeLog(sourceText_[v.sourceRow], v.log), v.output);
    }

    // Same seed, same bytes.
    const std::string again = dir_.filePath("again.csv").toStdString();
    const auto r2 = ftstudio({"augment", "--data", q(csv_), "--ops", "sr=0.2,ri=0.2,rs=0.2,rd=0.2", "--n", "4", "--seed", "7",
                              "--out", q(again), "--synonyms", q(synonyms_), "--threads", "2"});
    QCOMPARE(r2.code, 0);
    QCOMPARE(lines(again), lines(out));
  }

  void sourceRowAndOpsColumns() {
    const std::string out = dir_.filePath("only.jsonl").toStdString();
    const std::string jsonl = writeFile(dir_, "in.jsonl", "{\"text\": \"The soup was cold and the bread was stale.\", \"label\": \"neg\"}\n"
                                                          "{\"text\": \"Lovely place with excellent coffee and cakes.\", \"label\": \"pos\"}\n");
    const auto r = ftstudio({"augment", "--data", q(jsonl), "--ops", "aeda=0.3,char=0.3", "--n", "2", "--seed", "1", "--out",
                             q(out), "--no-originals", "--log", q(dir_.filePath("only.log.jsonl").toStdString())});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto rows = lines(out);
    QCOMPARE(rows.size(), std::size_t{4});  // no originals: 2 variants each
    QVERIFY2(rows[0].find("\"source_row\":1") != std::string::npos, rows[0].c_str());
    // Two variants, two operations: one of each, in the order the sample's seed starts them.
    const bool aedaFirst = rows[0].find("\"augment_ops\":\"aeda\"") != std::string::npos;
    QVERIFY(aedaFirst || rows[0].find("\"augment_ops\":\"char\"") != std::string::npos);
    QVERIFY(rows[1].find(aedaFirst ? "\"augment_ops\":\"char\"" : "\"augment_ops\":\"aeda\"") != std::string::npos);
    QVERIFY(rows[2].find("\"source_row\":2") != std::string::npos);
    QCOMPARE(lines(dir_.filePath("only.log.jsonl").toStdString()).size(), std::size_t{4});
  }

  void previewMarksChanges() {
    const auto r = ftstudio({"augment", "--data", q(csv_), "--ops", "sr=0.3", "--n", "2", "--preview", "--synonyms", q(synonyms_)});
    QVERIFY2(r.code == 0, r.err.constData());
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains("reviews.csv:2"), r.out.constData());
    QVERIFY2(out.contains(QRegularExpression("\\[\\w+->\\w+\\]")), r.out.constData());
    QVERIFY(!out.contains("\x1b["));  // not a terminal: no colour codes
  }

  void badInputExitsTwoWithFileAndLine() {
    const std::string bad = writeFile(dir_, "bad.csv", "text,label\n\"fine row here\",a\nbroken row without label\n");
    const auto r = ftstudio({"augment", "--data", q(bad), "--out", q(dir_.filePath("x.csv").toStdString()), "--synonyms", "none"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains((bad + ":3").c_str()), r.err.constData());
    QVERIFY(!QFile::exists(dir_.filePath("x.csv")));

    const std::string badSyn = writeFile(dir_, "badsyn.txt", "a b\nZz01A01! x y\n");
    const auto s = ftstudio({"augment", "--data", q(csv_), "--out", q(dir_.filePath("y.csv").toStdString()), "--synonyms", q(badSyn)});
    QCOMPARE(s.code, 2);
    QVERIFY2(s.err.contains((badSyn + ":2").c_str()), s.err.constData());

    const auto o = ftstudio({"augment", "--data", q(csv_), "--out", q(dir_.filePath("z.csv").toStdString()), "--ops", "sr=0.1,zz=1"});
    QCOMPARE(o.code, 2);
    QVERIFY2(o.err.contains("unknown operation 'zz'"), o.err.constData());
  }
};

QTEST_APPLESS_MAIN(TestCliAugment)
#include "test_cli_augment.moc"
