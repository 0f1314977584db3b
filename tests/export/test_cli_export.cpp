// `ftstudio export` as a user runs it: on a trained run (by id), each format, the printed
// verification, --json keys, the artifact in the run store, and the refusals with their exit codes;
// a LoRA run (on the causal LM run as its base) as a PEFT adapter and as a merged model.
#include "tests/common/FtstudioProcess.h"
#include "tests/common/TestHome.h"
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <vector>

namespace {

using fts::test::ftstudio;
using fts::test::lastJsonObject;

const QStringList kTiny = {"--set", "model.hidden_size=64", "--set", "model.vocab_size=400", "--set", "train.batch_size=8",
                           "--set", "train.eval_every=0", "--threads", "2"};

}  // namespace

class TestCliExport : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString clsRun_, lmRun_, loraRun_;

 private slots:
  void initTestCase() {
    fts::test::freshTestHome();
    auto r = ftstudio(QStringList{"train", "--data", FTS_FIXTURES "/topics_small.csv", "--steps", "4", "--json"} + kTiny);
    QVERIFY2(r.code == 0, r.err.constData());
    clsRun_ = QJsonDocument::fromJson(r.out).object()["run"].toString();
    r = ftstudio(QStringList{"train", "--data", FTS_FIXTURES "/topics_small.csv", "--task", "lm", "--steps", "4", "--json"} + kTiny);
    QVERIFY2(r.code == 0, r.err.constData());
    lmRun_ = QJsonDocument::fromJson(r.out).object()["run"].toString();
    QVERIFY(!clsRun_.isEmpty() && !lmRun_.isEmpty());
    // A LoRA classifier on the causal LM's hand-over folder as its base.
    const QString base = QJsonDocument::fromJson(r.out).object()["run_dir"].toString() + "/model";
    r = ftstudio(QStringList{"train", "--data", FTS_FIXTURES "/topics_small.csv", "--steps", "4", "--set", "model.base=" + base, "--set",
                             "model.lora_rank=4", "--set", "train.lr=0.02", "--set", "train.batch_size=8", "--set", "train.eval_every=0",
                             "--threads", "2", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    loraRun_ = QJsonDocument::fromJson(r.out).object()["run"].toString();
    QVERIFY(!loraRun_.isEmpty());
  }

  void peftAndMergedJson() {
    for (const QString format : {"peft", "merged"}) {
      const QString out = dir_.filePath("lora-" + format);
      const auto r = ftstudio({"export", loraRun_, "--format", format, "--out", out, "--json"});
      QVERIFY2(r.code == 0, r.err.constData());
      const QJsonObject j = QJsonDocument::fromJson(r.out).object();
      QVERIFY2(!j.isEmpty(), r.out.constData());
      QCOMPARE(j["format"].toString(), format);
      QCOMPARE(j["task"].toString(), QString("cls"));
      const QJsonArray files = j["files"].toArray();
      for (const char* f : format == "peft" ? std::vector<const char*>{"adapter_config.json", "adapter_model.safetensors", "README.md"}
                                            : std::vector<const char*>{"config.json", "model.safetensors", "README.md"})
        QVERIFY2(files.contains(QJsonValue(f)), f);
      const QJsonObject v = j["verification"].toObject();
      for (const char* key : {"max_abs_diff", "max_abs_logit", "argmax_agreement", "samples", "positions", "passed", "tolerance", "reloaded_with"})
        QVERIFY2(v.contains(key), key);
      QVERIFY(v["passed"].toBool());
      QCOMPARE(v["argmax_agreement"].toDouble(), 1.0);
      QVERIFY(v["max_abs_diff"].toDouble() <= v["tolerance"].toDouble());
      qInfo("LoRA run, %s f32: max abs diff %g (accepted %g)", qPrintable(format), v["max_abs_diff"].toDouble(), v["tolerance"].toDouble());
    }
    const auto show = ftstudio({"runs", "show", loraRun_, "--json"});
    QVERIFY(show.out.contains("export-peft-f32") && show.out.contains("export-merged-f32"));
    // Printed for a person: the files and the figures.
    const auto r = ftstudio({"export", loraRun_, "--format", "peft", "--out", dir_.filePath("lora-peft-text")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("adapter_model.safetensors") && r.out.contains("max abs logit difference") &&
                 r.out.contains("attached as peft does"),
             r.out.constData());
  }

  void hfExportPrintsVerification() {
    const QString out = dir_.filePath("cls-hf");
    const auto r = ftstudio({"export", clsRun_, "--format", "hf", "--out", out});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("max abs logit difference 0 "), r.out.constData());
    QVERIFY(r.out.contains("argmax agreement 100.0%"));
    QVERIFY(QFile::exists(out + "/model.safetensors"));
    QVERIFY(QFile::exists(out + "/README.md"));
    QFile card(out + "/README.md");
    QVERIFY(card.open(QIODevice::ReadOnly));
    const QByteArray text = card.readAll();
    QVERIFY2(text.contains(clsRun_.toUtf8()), "the card names the run");
    QVERIFY2(text.contains("\"train\""), "the card holds the training configuration");
    QVERIFY2(text.contains("| accuracy |"), "the card holds the run's metrics");
  }

  void ggufJsonAndArtifact() {
    const QString out = dir_.filePath("lm-q8");
    const auto r = ftstudio({"export", lmRun_.left(lmRun_.size() - 2), "--format", "gguf", "--dtype", "q8_0", "--out", out, "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();  // stdout holds the object and nothing else
    QVERIFY2(!j.isEmpty(), r.out.constData());
    QCOMPARE(j["run"].toString(), lmRun_);
    QCOMPARE(j["format"].toString(), QString("gguf"));
    QCOMPARE(j["dtype"].toString(), QString("q8_0"));
    QVERIFY(j["files"].toArray().contains(QJsonValue("model-q8_0.gguf")));
    const QJsonObject v = j["verification"].toObject();
    for (const char* key : {"max_abs_diff", "argmax_agreement", "samples", "positions", "passed", "tolerance"})
      QVERIFY2(v.contains(key), key);
    QVERIFY(v["passed"].toBool());
    QVERIFY(v["argmax_agreement"].toDouble() > 0.5);
    qInfo("trained run, gguf q8_0: max abs diff %g, argmax agreement %g over %d rows", v["max_abs_diff"].toDouble(),
          v["argmax_agreement"].toDouble(), v["positions"].toInt());

    const auto show = ftstudio({"runs", "show", lmRun_, "--json"});
    QCOMPARE(show.code, 0);
    bool found = false;
    for (const auto& a : QJsonDocument::fromJson(show.out).object()["artifacts"].toArray())
      found = found || (a.toObject()["kind"].toString() == "export-gguf-q8_0" && a.toObject()["path"].toString() == QDir(out).absolutePath());
    QVERIFY2(found, show.out.constData());
  }

  void refusalsAreClear() {
    auto r = ftstudio({"export", lmRun_, "--format", "peft", "--out", dir_.filePath("peft")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("needs a LoRA run") && r.err.contains(("run " + lmRun_ + " was trained without LoRA").toUtf8()), r.err.constData());
    r = ftstudio({"export", clsRun_, "--format", "merged", "--out", dir_.filePath("merged")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("no adapter to merge") && r.err.contains("--format hf"), r.err.constData());
    r = ftstudio({"export", loraRun_, "--format", "peft", "--dtype", "q8_0", "--out", dir_.filePath("peft")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("q8_0 is a GGUF block format"), r.err.constData());
    QVERIFY(!QFile::exists(dir_.filePath("peft")) && !QFile::exists(dir_.filePath("merged")));
    r = ftstudio({"export", clsRun_, "--format", "gguf", "--out", dir_.filePath("cls-gguf")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("sequence-classification"), r.err.constData());
    r = ftstudio({"export", "no-such-run", "--out", dir_.filePath("x")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("no run 'no-such-run'"), r.err.constData());
    r = ftstudio({"export", lmRun_, "--dtype", "q4", "--out", dir_.filePath("x")});
    QVERIFY(r.code != 0);
    QVERIFY(!QFile::exists(dir_.filePath("x")));
  }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "test_cli_export.moc"
