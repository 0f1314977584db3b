// `ftstudio data inspect`: the profile as JSON, exit 0 when usable, exit 2 with FILE:LINE:
// messages when not, and never a crash on any bytes.
#include "tests/common/FtstudioProcess.h"
#include "DataTestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

namespace {

using fts::test::ftstudio;
using fts::test::lastJsonObject;

QString topics() { return QString(FTS_FIXTURES) + "/topics_small.csv"; }
QString bad(const char* name) { return QString::fromStdString(fts::data::test::fixture(std::string("bad/") + name)); }

}  // namespace

class TestCliData : public QObject {
  Q_OBJECT
 private slots:
  void inspectJsonHoldsRowsAndClasses() {
    const auto r = ftstudio({"data", "inspect", topics(), "--json"});
    QVERIFY2(!r.crashed && r.code == 0, r.err.constData());
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["rows"].toInt(), 120);
    const QJsonObject classes = j["classes"].toObject();
    QCOMPARE(classes.size(), 3);
    for (const char* label : {"computers", "food", "science"}) QCOMPARE(classes[label].toInt(), 40);
    QVERIFY(j["usable"].toBool());
    QCOMPARE(j["format"].toString(), QString("csv"));
    QCOMPARE(j["split"].toObject()["validation_rows"].toInt(), 12);
    QVERIFY(j["length"].toObject()["tokens"].toObject()["approximate"].toBool());
  }

  void inspectHumanOutput() {
    const auto r = ftstudio({"data", "inspect", topics()});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("rows: 120"));
    QVERIFY(r.out.contains("classes: 3"));
  }

  void unusableFileExitsTwoWithFileLineMessages() {
    const auto r = ftstudio({"data", "inspect", bad("single_class.csv")});
    QCOMPARE(r.code, 2);
    const QString first = QString::fromUtf8(r.err).split('\n').first();
    QCOMPARE(first, bad("single_class.csv") +
                        ": only one class ('x', 3 rows): a classifier needs at least two; add rows of other classes, "
                        "or train a language model on the text (--task lm)");
    // With --task lm the same file is usable text.
    QCOMPARE(ftstudio({"data", "inspect", bad("single_class.csv"), "--task", "lm"}).code, 0);
  }

  void policySkipReportsEveryRowAndStopStopsAtTheFirst() {
    QTemporaryDir dir;
    const auto path = QString::fromStdString(fts::data::test::writeFile(
        dir, "m.csv", "text,label\ngood,a\n,b\nfine,b\n\"open,a\nnice,a\nx,y,z\n"));
    const auto skip = ftstudio({"data", "inspect", path, "--json"});
    QCOMPARE(skip.code, 0);
    const QJsonObject j = QJsonDocument::fromJson(skip.out).object();
    QCOMPARE(j["rows"].toInt(), 3);
    QCOMPARE(j["skipped"].toInt(), 3);
    const QJsonArray issues = j["issues"].toArray();
    QCOMPARE(issues.size(), 3);
    QCOMPARE(issues[0].toString(), path + ":3: empty text in column 'text': fill it in or delete the row");
    QVERIFY(issues[1].toString().startsWith(path + ":5:1: quoted field never closed"));
    QVERIFY(issues[2].toString().startsWith(path + ":7: row has 3 fields"));

    const auto stop = ftstudio({"data", "inspect", path, "--policy", "stop"});
    QCOMPARE(stop.code, 2);
    QVERIFY(stop.err.startsWith((path + ":3: empty text").toUtf8()));
  }

  void formatAndFieldSizeOptions() {
    const auto asLines = ftstudio({"data", "inspect", topics(), "--format", "lines", "--json"});
    QCOMPARE(asLines.code, 0);
    QCOMPARE(QJsonDocument::fromJson(asLines.out).object()["rows"].toInt(), 121);  // the header is a line too
    const auto small = ftstudio({"data", "inspect", topics(), "--max-field-bytes", "40", "--json"});
    QCOMPARE(small.code, 0);
    QVERIFY(QJsonDocument::fromJson(small.out).object()["skipped"].toInt() > 0);
    QCOMPARE(ftstudio({"data", "inspect", topics(), "--format", "xlsx"}).code, 2);  // a usage error
  }

  void neverCrashesWhateverTheBytes() {
    QTemporaryDir dir;
    std::string bytes;
    for (int i = 0; i < 4000; ++i) bytes.push_back(static_cast<char>((i * 2654435761u) >> 13));
    const auto path = QString::fromStdString(fts::data::test::writeFile(dir, "noise.csv", bytes));
    for (const char* format : {"auto", "csv", "jsonl", "text", "fortune"}) {
      const auto r = ftstudio({"data", "inspect", path, "--format", format});
      QVERIFY(!r.crashed);
      QVERIFY(r.code == 0 || r.code == 2);
    }
    const auto missing = ftstudio({"data", "inspect", dir.filePath("absent.csv"), "--json"});
    QCOMPARE(missing.code, 2);
    QVERIFY(!QJsonDocument::fromJson(missing.out).object()["usable"].toBool());
  }
};

QTEST_GUILESS_MAIN(TestCliData)
#include "test_cli_data.moc"
