// `ftstudio runs show` with the run's evaluation reports (<run>/eval_report.json): the per-class
// table and the confusion matrix for validation and test, aligned with Chinese class names, the
// same figures under --json, and a broken file costs a warning, not the command.
#include "tests/common/FtstudioProcess.h"
#include "tests/common/TestHome.h"
#include "core/runs/EvalReport.h"
#include "core/runs/RunPaths.h"
#include "core/runs/RunStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <fstream>

namespace {

using fts::test::ftstudio;
using fts::test::lastJsonObject;

// Terminal columns: CJK characters take two.
int columns(const QString& s) {
  int w = 0;
  for (const QChar c : s) w += c.unicode() >= 0x2E80 && c.unicode() <= 0xFFEF ? 2 : 1;
  return w;
}

fts::EvalReportEvent report9() {
  fts::EvalReportEvent r;
  r.split = "test";
  r.step = 80;
  r.labels = {"art", "computers", "food", "诗歌", "science", "sports", "love", "数学与逻辑", "politics"};
  const size_t n = r.labels.size();
  r.confusion.assign(n, std::vector<long>(n, 0));
  for (size_t t = 0; t < n; ++t) {
    r.confusion[t][t] = static_cast<long>(10 + t);
    r.confusion[t][(t + 2) % n] = static_cast<long>(t);
    r.support.push_back(static_cast<long>(10 + 2 * t));
    r.recall.push_back(double(10 + t) / double(10 + 2 * t));
    r.precision.push_back(0.5 + 0.05 * double(t));
    r.f1.push_back(2 * r.precision.back() * r.recall.back() / (r.precision.back() + r.recall.back()));
  }
  r.accuracy = 0.7;
  r.macroF1 = 0.65;
  r.weightedF1 = 0.66;
  return r;
}

}  // namespace

class TestCliEvalReport : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { fts::test::freshTestHome(); }

  void showPrintsTheTableAndMatrix() {
    fts::RunStore store(fts::studioHome());
    const fts::RunRecord run = store.beginRun("nine", "cls", "", "{}");
    const auto r = report9();
    fts::storeEvalReport(run.dir, r);

    const auto show = ftstudio({"runs", "show", QString::fromStdString(run.id)});
    QVERIFY2(show.code == 0, show.err.constData());
    const QString out = QString::fromUtf8(show.out);
    QVERIFY2(out.contains("test report (after the run, step 80): accuracy 0.7000, macro-F1 0.6500, weighted-F1 0.6600"), qPrintable(out));
    QVERIFY(!out.contains("validation report"));
    const QStringList lines = out.split('\n');

    // The class table: one line per class with its figures, the averages after them.
    auto lineOf = [&](const QString& start) {
      for (const auto& l : lines)
        if (l.startsWith(start)) return l;
      return QString();
    };
    const QString poetry = lineOf(QString::fromUtf8("  诗歌 "));
    QVERIFY2(!poetry.isEmpty(), qPrintable(out));
    QCOMPARE(poetry.split(' ', Qt::SkipEmptyParts),
             QStringList({QString::fromUtf8("诗歌"), QString::number(r.precision[3], 'f', 4), QString::number(r.recall[3], 'f', 4),
                          QString::number(r.f1[3], 'f', 4), "16"}));
    QVERIFY(!lineOf("  macro avg ").isEmpty());
    QVERIFY(lineOf("  weighted avg ").contains(" 0.6600 "));
    // Every table line is as wide as the header on a terminal, Chinese names included.
    const int tableWidth = columns(lineOf("  class "));
    QCOMPARE(columns(poetry), tableWidth);
    QCOMPARE(columns(lineOf("  art ")), tableWidth);

    // The matrix: a numbered header, then one row per true class with its counts.
    const int header = lines.indexOf(QRegularExpression("^  confusion matrix.*"));
    QVERIFY(header > 0);
    QCOMPARE(lines[header + 1].split(' ', Qt::SkipEmptyParts), QStringList({"1", "2", "3", "4", "5", "6", "7", "8", "9"}));
    const int width = columns(lines[header + 1]);
    for (size_t t = 0; t < r.labels.size(); ++t) {
      const QString row = lines[header + 2 + static_cast<int>(t)];
      QCOMPARE(columns(row), width);
      QStringList cells = row.split(' ', Qt::SkipEmptyParts);
      QCOMPARE(cells.takeFirst(), QString::number(t + 1));
      QCOMPARE(cells.takeFirst(), QString::fromStdString(r.labels[t]));
      QStringList expected;
      for (long v : r.confusion[t]) expected << QString::number(v);
      QCOMPARE(cells, expected);
    }

    // --json: the same report under eval_report.
    const auto js = ftstudio({"runs", "show", QString::fromStdString(run.id), "--json"});
    QCOMPARE(js.code, 0);
    const QJsonObject test = QJsonDocument::fromJson(js.out).object()["eval_report"].toObject()["test"].toObject();
    QCOMPARE(test["step"].toInt(), 80);
    QCOMPARE(test["labels"].toArray().size(), 9);
    QCOMPARE(test["confusion"].toArray()[3].toArray()[5].toInt(), 3);
    QCOMPARE(test["per_class"].toObject()[QString::fromUtf8("诗歌")].toObject()["support"].toInt(), 16);
  }

  void brokenReportIsAWarning() {
    fts::RunStore store(fts::studioHome());
    const fts::RunRecord run = store.beginRun("broken", "cls", "", "{}");
    std::ofstream(std::filesystem::path(run.dir) / fts::kEvalReportFile) << "{ not json";
    const auto show = ftstudio({"runs", "show", QString::fromStdString(run.id)});
    QCOMPARE(show.code, 0);
    QVERIFY2(show.err.contains("eval_report.json: not a JSON object"), show.err.constData());
    QVERIFY(show.out.contains("status    created"));
    const auto js = ftstudio({"runs", "show", QString::fromStdString(run.id), "--json"});
    QCOMPARE(js.code, 0);
    QVERIFY(!QJsonDocument::fromJson(js.out).object().contains("eval_report"));
  }

  void trainedRunShowsValidationAndTest() {
    const auto train = ftstudio({"train", "--data", FTS_FIXTURES "/topics_small.csv", "--steps", "10", "--json", "--threads", "2",
                                 "--set", "model.hidden_size=32", "--set", "model.vocab_size=600", "--set", "train.batch_size=8",
                                 "--set", "train.eval_every=5", "--set", "data.test=" FTS_FIXTURES "/topics_small.csv"});
    QVERIFY2(train.code == 0, train.err.constData());
    // The progress on stderr summarises the test report in one line.
    QVERIFY2(train.err.contains("test: accuracy "), train.err.constData());
    QVERIFY(train.err.contains("weakest class '"));
    const QString id = QJsonDocument::fromJson(train.out).object()["run"].toString();

    const auto show = ftstudio({"runs", "show", id});
    QCOMPARE(show.code, 0);
    QVERIFY2(show.out.contains("validation report (step 10, epoch "), show.out.constData());
    QVERIFY(show.out.contains("test report (after the run, step 10)"));
    const auto js = ftstudio({"runs", "show", id, "--json"});
    const QJsonObject rep = QJsonDocument::fromJson(js.out).object()["eval_report"].toObject();
    int tested = 0;
    for (const auto& row : rep["test"].toObject()["confusion"].toArray())
      for (const auto& v : row.toArray()) tested += v.toInt();
    QCOMPARE(tested, 120);  // every row of the test file, once
    QCOMPARE(rep["validation"].toObject()["step"].toInt(), 10);
    QCOMPARE(rep["test"].toObject()["accuracy"].toDouble(),
             QJsonDocument::fromJson(train.out).object()["metrics"].toObject()["test_accuracy"].toDouble());
  }
};

QTEST_MAIN(TestCliEvalReport)
#include "test_cli_eval_report.moc"
