// ftstudio as a user runs it: train, list, show, diff, eval, predict, interrupt and resume, remove.
#include "tests/common/FtstudioProcess.h"
#include "tests/common/TestHome.h"
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

namespace {

using fts::test::ftstudio;
using fts::test::lastJsonObject;

const QStringList kTiny = {"--set", "model.hidden_size=32", "--set", "model.vocab_size=600", "--set", "train.batch_size=8",
                           "--set", "train.eval_every=5", "--threads", "2"};

}  // namespace

class TestCli : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    // Each test binary has its own FTSTUDIO_HOME (see tests/CMakeLists.txt); start from an empty store.
    fts::test::freshTestHome();
  }

  void trainPrintsOneJsonObject() {
    const auto r = ftstudio(QStringList{"train", "--data", FTS_FIXTURES "/topics_small.csv", "--steps", "12", "--json"} + kTiny);
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();  // stdout holds the object and nothing else
    QVERIFY2(!j.isEmpty(), r.out.constData());
    QVERIFY(!j["run"].toString().isEmpty());
    QCOMPARE(j["status"].toString(), QString("finished"));
    QCOMPARE(j["task"].toString(), QString("cls"));
    QVERIFY(j["metrics"].toObject().contains("accuracy"));
    QVERIFY(j["metrics"].toObject().contains("macro_f1"));
    runA_ = j["run"].toString();
  }

  void doctorSaysHowOpenMpThreadsWait() {
    auto doctor = [](const QStringList& env) {
      QProcess p;
      QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
      for (const char* k : {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "FTS_OMP_POLICY_SET", "FTS_KEEP_OMP_DEFAULTS"}) e.remove(k);
      for (const auto& kv : env) e.insert(kv.section('=', 0, 0), kv.section('=', 1));
      p.setProcessEnvironment(e);
      p.start(QStringLiteral(FTS_BIN_DIR "/ftstudio"), {"doctor"});
      p.waitForFinished(60000);
      return p.readAllStandardOutput();
    };
    // Nothing set: the studio's spin count, taken by libgomp after the program started itself again.
    QVERIFY2(doctor({}).contains("OpenMP waiting: GOMP_SPINCOUNT=1000 (the studio's default)"), doctor({}).constData());
    // The user's choice is kept.
    QVERIFY(doctor({"OMP_WAIT_POLICY=passive"}).contains("OpenMP waiting: OMP_WAIT_POLICY=passive (from the environment)"));
    QVERIFY(doctor({"GOMP_SPINCOUNT=5"}).contains("OpenMP waiting: GOMP_SPINCOUNT=5 (from the environment)"));
    QVERIFY(doctor({"FTS_KEEP_OMP_DEFAULTS=1"}).contains("OpenMP waiting: libgomp's default"));
  }

  void setTakesProjectKeysAndRefusesTypos() {
    const auto bad = ftstudio({"train", "--data", FTS_FIXTURES "/topics_small.csv", "--set", "train.lrate=1"});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("unknown setting 'train.lrate'"), bad.err.constData());
    const auto r = ftstudio(QStringList{"train", "--data", FTS_FIXTURES "/topics_small.csv", "--steps", "6", "--set", "train.lr=3e-4", "--json"} + kTiny);
    QVERIFY2(r.code == 0, r.err.constData());
    runB_ = QJsonDocument::fromJson(r.out).object()["run"].toString();
  }

  void runsListShowDiff() {
    const auto list = ftstudio({"runs", "list", "--json"});
    QCOMPARE(list.code, 0);
    const QJsonArray runs = QJsonDocument::fromJson(list.out).array();
    QStringList ids;
    for (const auto& v : runs) {
      ids << v.toObject()["run"].toString();
      QCOMPARE(v.toObject()["method"].toString(), QString("scratch"));  // no base model, no LoRA, nothing frozen
    }
    QVERIFY(ids.contains(runA_) && ids.contains(runB_));

    const auto show = ftstudio({"runs", "show", runA_, "--json"});
    QCOMPARE(show.code, 0);
    const QJsonObject s = QJsonDocument::fromJson(show.out).object();
    QCOMPARE(s["status"].toString(), QString("finished"));
    QVERIFY(s["series"].toArray().contains(QJsonValue("train/loss")));

    const auto diff = ftstudio({"runs", "diff", runA_, runB_, "--json"});
    QCOMPARE(diff.code, 0);
    const QJsonObject d = QJsonDocument::fromJson(diff.out).object()["config"].toObject();
    QVERIFY(d.contains("train.lr"));
    QVERIFY(d.contains("train.steps"));
    QVERIFY(!d.contains("train.batch_size"));  // same in both

    const auto missing = ftstudio({"runs", "show", "no-such-run"});
    QCOMPARE(missing.code, 2);
    QVERIFY(missing.err.contains("no run 'no-such-run'"));
  }

  void evalAndPredict() {
    const auto ev = ftstudio({"eval", runA_, "--data", FTS_FIXTURES "/topics_small.csv", "--json"});
    QVERIFY2(ev.code == 0, ev.err.constData());
    const QJsonObject e = QJsonDocument::fromJson(ev.out).object();
    QCOMPARE(e["samples"].toInt(), 120);
    QVERIFY(e["metrics"].toObject()["accuracy"].toDouble() > 0);
    QCOMPARE(e["confusion"].toArray().size(), 3);

    const auto p = ftstudio({"predict", runA_, "--text", "The compiler crashed again.", "--json"});
    QVERIFY2(p.code == 0, p.err.constData());
    const QJsonObject j = QJsonDocument::fromJson(p.out).object();
    QVERIFY(QStringList({"computers", "science", "food"}).contains(j["label"].toString()));
    double total = 0;
    for (const auto& v : j["scores"].toObject()) total += v.toDouble();
    QVERIFY(std::abs(total - 1.0) < 1e-4);
  }

  void interruptedRunResumes() {
    QProcess p;
    p.start(QStringLiteral(FTS_BIN_DIR "/ftstudio"),
            QStringList{"train", "--data", FTS_FIXTURES "/topics_small.csv", "--steps", "100000"} + kTiny);
    QVERIFY(p.waitForStarted());
    // Wait for training to be under way, then Ctrl-C.
    QByteArray seen;
    QElapsedTimer clock;
    clock.start();
    // Piped, progress is a plain line at most once a second, the first one at step 1.
    while (!seen.contains("\nstep ") && clock.elapsed() < 120000) {
      p.waitForReadyRead(200);
      seen += p.readAllStandardOutput();
    }
    QVERIFY2(seen.contains("\nstep "), seen.constData());
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(30000));
    seen += p.readAllStandardOutput();
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(seen.contains("stopped"), seen.constData());
    const QString id = QString::fromUtf8(seen.mid(4, seen.indexOf(' ', 4) - 4));  // "run <id> (...)"

    const auto show = ftstudio({"runs", "show", id, "--json"});
    QCOMPARE(QJsonDocument::fromJson(show.out).object()["status"].toString(), QString("stopped"));
    // Resuming continues from the stop checkpoint; the stored config asks for 100000 steps, so the
    // resumed run is interrupted too once it says where it picked up.
    QProcess again;
    again.start(QStringLiteral(FTS_BIN_DIR "/ftstudio"), {"resume", id});
    QVERIFY(again.waitForStarted());
    QByteArray out;
    clock.restart();
    while (!out.contains("resuming at step") && clock.elapsed() < 120000) {
      again.waitForReadyRead(200);
      out += again.readAllStandardOutput();
    }
    QVERIFY2(out.contains("resuming at step"), out.constData());
    ::kill(static_cast<pid_t>(again.processId()), SIGINT);
    QVERIFY(again.waitForFinished(30000));
    QCOMPARE(again.exitCode(), 0);

    const auto rm = ftstudio({"runs", "rm", id});
    QCOMPARE(rm.code, 0);
    QCOMPARE(ftstudio({"runs", "show", id}).code, 2);
  }

 private:
  QString runA_, runB_;
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
