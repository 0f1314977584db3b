// Evaluation reports in the run folder: RunRecorder writes <run>/eval_report.json when the trainer
// reports an evaluation (newest validation + test, atomically, the other split kept), the JSON reads
// back to the same figures, and a folder that cannot be written costs a warning, not the run.
#include "core/runs/EvalReport.h"
#include "core/runs/RunRecorder.h"
#include "core/runs/RunStore.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace fts;

namespace {

// 3 classes, 10 samples: [true][predicted].
EvalReportEvent report(const std::string& split, std::int64_t step) {
  EvalReportEvent r;
  r.split = split;
  r.step = step;
  r.epoch = step / 10.0;
  r.labels = {"food", "science", "诗歌"};
  r.confusion = {{3, 1, 0}, {0, 4, 0}, {1, 0, 1}};
  r.support = {4, 4, 2};
  r.precision = {0.75, 0.8, 1.0};
  r.recall = {0.75, 1.0, 0.5};
  r.f1 = {0.75, 8.0 / 9.0, 2.0 / 3.0};
  r.accuracy = 0.8;
  r.macroF1 = (0.75 + 8.0 / 9.0 + 2.0 / 3.0) / 3;
  r.weightedF1 = (0.75 * 4 + 8.0 / 9.0 * 4 + 2.0 / 3.0 * 2) / 10;
  return r;
}

int countEvents(EventQueue& q, int* warnings = nullptr) {
  int reports = 0;
  for (const auto& e : q.drain()) {
    if (std::holds_alternative<EvalReportEvent>(e)) ++reports;
    if (const auto* l = std::get_if<LogEvent>(&e); l && warnings && l->level == LogEvent::Level::Warning) ++*warnings;
  }
  return reports;
}

}  // namespace

class TestEvalReport : public QObject {
  Q_OBJECT
 private slots:
  void averagesCountLikeTheMetrics() {
    EvalReportEvent r = report("validation", 5);
    r.labels.push_back("absent");  // a class with no samples: left out of the macro average
    r.precision.push_back(0);
    r.recall.push_back(0);
    r.f1.push_back(0);
    r.support.push_back(0);
    const ClassAverages m = macroAverages(r);
    QCOMPARE(m.precision, (0.75 + 0.8 + 1.0) / 3);
    QCOMPARE(m.recall, (0.75 + 1.0 + 0.5) / 3);
    QCOMPARE(m.f1, r.macroF1);
    QCOMPARE(m.support, 10L);
    const ClassAverages w = weightedAverages(r);
    QCOMPARE(w.precision, (0.75 * 4 + 0.8 * 4 + 1.0 * 2) / 10);
    QCOMPARE(w.recall, 0.8);  // weighted recall is the accuracy
    QVERIFY(std::abs(w.f1 - r.weightedF1) < 1e-12);
  }

  void jsonRoundTripAndErrors() {
    const EvalReportEvent r = report("test", 30);
    const auto j = evalReportToJson(r);
    QCOMPARE(j["per_class"]["诗歌"]["support"].get<long>(), 2L);
    QCOMPARE(j["confusion"][2][0].get<long>(), 1L);
    const EvalReportEvent back = evalReportFromJson(j);
    QCOMPARE(back.labels, r.labels);
    QCOMPARE(back.confusion, r.confusion);
    QCOMPARE(back.f1, r.f1);
    QCOMPARE(back.support, r.support);
    QCOMPARE(back.step, r.step);
    QCOMPARE(back.macroF1, r.macroF1);

    auto bad = nlohmann::json::parse(j.dump());
    bad["confusion"].erase(1);
    try {
      evalReportFromJson(bad);
      QFAIL("a matrix with a missing row was accepted");
    } catch (const std::runtime_error& e) {
      QVERIFY2(std::string(e.what()).find("2 rows for 3 labels") != std::string::npos, e.what());
    }
    auto noLabel = nlohmann::json::parse(j.dump());
    noLabel["per_class"].erase("science");
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, evalReportFromJson(noLabel));
  }

  void recorderWritesTheNewestValidationAndTheTest() {
    QTemporaryDir home;
    QVERIFY(home.isValid());
    auto store = std::make_unique<RunStore>(home.path().toStdString());
    const RunRecord run = store->beginRun("t", "cls", "", "{}");
    EventQueue queue;
    {
      RunRecorder rec(std::move(store), run.id, queue);  // folder found through the store
      rec.push(report("validation", 5));
      EvalReportEvent later = report("validation", 10);
      later.confusion = {{4, 0, 0}, {0, 4, 0}, {1, 0, 1}};
      later.accuracy = 0.9;
      rec.push(later);
      rec.push(report("test", 12));
    }
    QCOMPARE(countEvents(queue), 3);  // forwarded as well as recorded

    const auto reports = loadEvalReports(run.dir);
    QCOMPARE(reports.size(), std::size_t{2});
    QCOMPARE(reports.at("validation").step, std::int64_t{10});
    QCOMPARE(reports.at("validation").accuracy, 0.9);
    QCOMPARE(reports.at("validation").confusion[0][0], 4L);
    QCOMPARE(reports.at("test").step, std::int64_t{12});
    QCOMPARE(reports.at("test").labels[2], std::string("诗歌"));

    // No temporary file left beside it, validation listed first, and one artifact row.
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(run.dir)) files += e.path().filename().string().rfind("eval_report", 0) == 0;
    QCOMPARE(files, 1);
    std::ifstream in(std::filesystem::path(run.dir) / kEvalReportFile);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    QVERIFY(text.find("\"validation\"") < text.find("\"test\""));
    RunStore reader(home.path().toStdString());
    int artifacts = 0;
    for (const auto& [kind, path] : reader.artifacts(run.id)) artifacts += kind == "eval_report";
    QCOMPARE(artifacts, 1);
  }

  void resumedRunKeepsTheEarlierTestReport() {
    QTemporaryDir dir;
    EventQueue queue;
    {
      RunRecorder rec(nullptr, "r", queue, dir.path().toStdString());  // folder given, no store
      rec.push(report("test", 20));
    }
    {
      RunRecorder rec(nullptr, "r", queue, dir.path().toStdString());
      rec.push(report("validation", 25));
    }
    const auto reports = loadEvalReports(dir.path().toStdString());
    QCOMPARE(reports.size(), std::size_t{2});
    QCOMPARE(reports.at("test").step, std::int64_t{20});
  }

  void unwritableFolderWarnsOnceAndTrainingGoesOn() {
    QTemporaryDir dir;
    const auto missing = std::filesystem::path(dir.path().toStdString()) / "gone" / "run";
    EventQueue queue;
    RunRecorder rec(nullptr, "r", queue, missing);
    rec.push(report("validation", 5));
    rec.push(report("validation", 10));
    int warnings = 0;
    QCOMPARE(countEvents(queue, &warnings), 2);
    QCOMPARE(warnings, 1);
  }

  void noFolderNoStoreWritesNothing() {
    EventQueue queue;
    RunRecorder rec(nullptr, "r", queue);
    rec.push(report("validation", 5));
    int warnings = 0;
    QCOMPARE(countEvents(queue, &warnings), 1);
    QCOMPARE(warnings, 0);
  }

  void brokenFileIsReportedByName() {
    QTemporaryDir dir;
    std::ofstream(std::filesystem::path(dir.path().toStdString()) / kEvalReportFile) << "{\"test\": {\"split\": 1}}";
    try {
      loadEvalReports(dir.path().toStdString());
      QFAIL("a broken report was accepted");
    } catch (const std::runtime_error& e) {
      QVERIFY2(std::string(e.what()).find("eval_report.json: \"test\"") != std::string::npos, e.what());
    }
    // Storing a new report over a broken file replaces it.
    EventQueue queue;
    RunRecorder rec(nullptr, "r", queue, dir.path().toStdString());
    rec.push(report("validation", 5));
    QCOMPARE(loadEvalReports(dir.path().toStdString()).size(), std::size_t{1});
  }
};

QTEST_MAIN(TestEvalReport)
#include "test_eval_report.moc"
