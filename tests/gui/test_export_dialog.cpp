// The Export dialog, offscreen, on runs trained here into the test's run store: a LoRA classifier
// exported as a PEFT adapter through the dialog's buttons shows its verification figures and files;
// GGUF q8_0 of a causal LM shows the argmax agreement; formats a run does not allow are greyed with the
// exporter's reason; an error and a cancel are shown and leave nothing behind; File > Export Run… opens
// it. With FTS_SCREENSHOT_DIR set, the dialog after each export is saved there as a PNG.
#include "core/runs/RunPaths.h"
#include "core/runs/RunStore.h"
#include "core/train/Trainer.h"
#include "tests/common/TestHome.h"
#include "ui/ExportDialog.h"
#include "ui/MainWindow.h"

#include <QAction>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

using namespace fts::ui;

namespace {

QString home() { return QString::fromStdString(fts::studioHome().string()); }

// A tiny run recorded in the store, as the GUI's Train button starts one.
QString train(const std::string& task, const std::string& base, int loraRank) {
  fts::TrainConfig c;
  c.task = task;
  c.data.train = FTS_FIXTURES "/topics_small.csv";
  c.data.max_len = 48;
  c.model.base = base;
  c.model.vocab_size = 300;
  c.model.hidden_size = 32;
  c.model.layers = 2;
  c.model.heads = 4;
  c.model.lora_rank = loraRank;
  c.train.steps = 4;
  c.train.batch_size = 8;
  c.train.lr = 2e-2;
  c.train.eval_every = 0;
  c.train.threads = 2;
  fts::RunStore store(fts::studioHome());
  const fts::RunRecord r = store.beginRun("topics_small.csv", task, base, c.toJson());
  fts::TrainerControl control;
  fts::EventQueue events;
  const auto s = fts::runTrainingJob(c, {r.id, r.dir, fts::studioHome()}, control, events);
  if (s.state != fts::TrainerState::Finished) qFatal("training failed: %s", s.reason.c_str());
  return QString::fromStdString(r.id);
}

bool formatEnabled(ExportDialog& d, const QString& name) {
  auto* model = qobject_cast<QStandardItemModel*>(d.formatBox()->model());
  return model->item(d.formatBox()->findData(name))->isEnabled();
}

QString formatTip(ExportDialog& d, const QString& name) {
  auto* model = qobject_cast<QStandardItemModel*>(d.formatBox()->model());
  return model->item(d.formatBox()->findData(name))->toolTip();
}

void screenshot(QWidget& w, const QString& name) {
  const QString dir = qEnvironmentVariable("FTS_SCREENSHOT_DIR");
  if (!dir.isEmpty()) w.grab().save(QDir(dir).filePath(name));
}

}  // namespace

class TestExportDialog : public QObject {
  Q_OBJECT
  QTemporaryDir out_;
  QString lmRun_, loraRun_, lmDir_;

 private slots:
  void initTestCase() {
    fts::test::freshTestHome();
    lmRun_ = train("lm", "", 0);
    lmDir_ = QString::fromStdString(fts::RunStore(fts::studioHome()).findRun(lmRun_.toStdString())->dir);
    loraRun_ = train("cls", (lmDir_ + "/model").toStdString(), 4);
  }

  void exportsALoraRunAsPeftAndShowsTheVerification() {
    ExportDialog d(home());
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    QCOMPARE(d.runBox()->count(), 2);
    QVERIFY(d.selectRun(loraRun_));
    // A LoRA classifier: hf, merged and peft; no GGUF (llama.cpp has no classification head).
    QVERIFY(formatEnabled(d, "hf") && formatEnabled(d, "merged") && formatEnabled(d, "peft"));
    QVERIFY(!formatEnabled(d, "gguf"));
    QVERIFY2(formatTip(d, "gguf").contains("sequence-classification"), qPrintable(formatTip(d, "gguf")));
    QVERIFY(d.selectFormat("peft"));
    QVERIFY(!d.selectDtype("q8_0"));  // GGUF only
    QVERIFY(d.outputEdit()->text().endsWith("exports/peft-f32"));  // suggested inside the run folder
    QVERIFY(d.formatNote()->text().contains(lmDir_ + "/model"));   // the base the adapter goes with
    const QString folder = out_.filePath("peft");
    d.setOutputFolder(folder);

    QTest::mouseClick(d.exportButton(), Qt::LeftButton);
    QVERIFY(d.isRunning());
    QVERIFY(!d.exportButton()->isEnabled());
    QVERIFY(d.cancelButton()->isEnabled());
    QVERIFY(!d.formatBox()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!d.isRunning(), 120000);
    QCOMPARE(d.outcome(), QString("verified"));
    QCOMPARE(d.progressBar()->value(), 4);
    QVERIFY(d.exportButton()->isEnabled());
    const QString shown = d.resultView()->toPlainText();
    for (const char* part : {"Export verified", "Max abs logit difference", "Accepted difference", "Argmax agreement", "100.0% of",
                             "adapter_config.json", "adapter_model.safetensors", "README.md", "attached as peft does"})
      QVERIFY2(shown.contains(part), qPrintable(QString(part) + " not in: " + shown));
    QVERIFY(QFile::exists(folder + "/adapter_model.safetensors"));
    // The figures shown are the export's own (its manifest).
    QFile manifest(folder + "/ftstudio_export.json");
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const double diff = QJsonDocument::fromJson(manifest.readAll()).object()["verification"].toObject()["max_abs_diff"].toDouble();
    const qsizetype at = shown.indexOf("Max abs logit difference");
    QVERIFY2(shown.mid(at + 24, 8).trimmed().startsWith(QString::number(diff, 'g', 3)), qPrintable(shown));
    // Recorded with the run, as the CLI does.
    bool recorded = false;
    for (const auto& [kind, path] : fts::RunStore(fts::studioHome()).artifacts(loraRun_.toStdString()))
      recorded |= kind == "export-peft-f32" && QDir(QString::fromStdString(path)) == QDir(folder);
    QVERIFY(recorded);
    screenshot(d, "export-peft.png");
  }

  void ggufQ8ShowsArgmaxAgreement() {
    ExportDialog d(home());
    d.show();
    QVERIFY(d.selectRun(lmRun_));
    QVERIFY(formatEnabled(d, "gguf"));
    // A run trained without LoRA: no adapter, so no peft or merged, and the note says why.
    QVERIFY(!formatEnabled(d, "peft") && !formatEnabled(d, "merged"));
    QVERIFY2(formatTip(d, "peft").contains("was trained without LoRA"), qPrintable(formatTip(d, "peft")));
    QVERIFY(!d.selectFormat("peft"));
    QVERIFY(d.formatNote()->text().contains("Not offered for this run"));
    QVERIFY(d.selectFormat("gguf"));
    QVERIFY(!d.shardEdit()->isEnabled());
    QVERIFY(d.selectDtype("q8_0"));
    d.setOutputFolder(out_.filePath("gguf"));
    QSignalSpy done(&d, &ExportDialog::exportFinished);
    d.startExport();
    QVERIFY(done.wait(120000));
    QCOMPARE(done.at(0).at(0).toBool(), true);
    const QString shown = d.resultView()->toPlainText();
    QVERIFY2(shown.contains("model-q8_0.gguf") && shown.contains("Argmax agreement") && shown.contains("dequantized from q8_0"), qPrintable(shown));
    QVERIFY(QFile::exists(out_.filePath("gguf") + "/model-q8_0.gguf"));
    screenshot(d, "export-gguf-q8_0.png");
  }

  void anErrorIsShownAndNothingIsTouched() {
    ExportDialog d(home());
    QVERIFY(d.selectRun(lmRun_));
    QVERIFY(d.selectFormat("hf"));
    const QString mine = out_.filePath("mine");
    QDir().mkpath(mine);
    QFile note(mine + "/notes.txt");
    QVERIFY(note.open(QIODevice::WriteOnly));
    note.write("keep me");
    note.close();
    d.setOutputFolder(mine);
    QSignalSpy done(&d, &ExportDialog::exportFinished);
    d.startExport();
    QVERIFY(done.wait(120000));
    QCOMPARE(d.outcome(), QString("failed"));
    QVERIFY2(d.resultView()->toPlainText().contains("Export failed"), qPrintable(d.resultView()->toPlainText()));
    QVERIFY2(d.resultView()->toPlainText().contains("not an earlier export"), qPrintable(d.resultView()->toPlainText()));
    QCOMPARE(QDir(mine).entryList(QDir::Files), QStringList{"notes.txt"});
    // A shard size that is not a size: said before anything starts.
    d.setOutputFolder(out_.filePath("hf"));
    d.shardEdit()->setText("lots");
    d.startExport();
    QCOMPARE(d.outcome(), QString("failed"));
    QVERIFY(d.resultView()->toPlainText().contains("Shard size"));
    QVERIFY(!QFile::exists(out_.filePath("hf")));
  }

  void cancelLeavesNothing() {
    ExportDialog d(home());
    QVERIFY(d.selectRun(loraRun_));
    QVERIFY(d.selectFormat("merged"));
    const QString folder = out_.filePath("cancelled");
    d.setOutputFolder(folder);
    QSignalSpy done(&d, &ExportDialog::exportFinished);
    d.startExport();
    QTest::mouseClick(d.cancelButton(), Qt::LeftButton);  // the worker checks between its stages
    QVERIFY(done.wait(120000));
    QCOMPARE(d.outcome(), QString("cancelled"));
    QVERIFY(d.resultView()->toPlainText().contains("Export cancelled"));
    QVERIFY(!QFile::exists(folder));
    QVERIFY(QDir(out_.path()).entryList({".cancelled*"}, QDir::AllEntries | QDir::Hidden).isEmpty());  // no staging folder left
  }

  void fileMenuOpensIt() {
    MainWindow w;
    auto* action = w.findChild<QAction*>("exportRunAction");
    QVERIFY(action);
    QCOMPARE(action->shortcut(), QKeySequence("Ctrl+E"));
    action->trigger();
    auto* d = w.findChild<ExportDialog*>();
    QVERIFY(d);
    QTRY_VERIFY(d->isVisible());
    QCOMPARE(d->runBox()->count(), 2);
    QVERIFY(d->runBox()->findData(loraRun_) >= 0 && d->runBox()->findData(lmRun_) >= 0);
    d->close();
  }
};

QTEST_MAIN(TestExportDialog)
#include "test_export_dialog.moc"
