// The walking skeleton through the GUI, offscreen: open a CSV, train, see the plot fill, stop.
#include "core/train/TrainConfig.h"
#include "ui/DatasetPanel.h"
#include "ui/MainWindow.h"
#include "ui/ModelPickerButton.h"
#include "ui/TrainingController.h"
#include "ui/TrainingPanel.h"
#include "widgets/MetricPlot.h"

#include <QComboBox>
#include <QMenu>
#include <QElapsedTimer>
#include <qcustomplot.h>
#include <QLineEdit>
#include <QSpinBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QtTest>

using namespace fts::ui;

class TestMainWindow : public QObject {
  Q_OBJECT

  static void loadFixture(MainWindow& w) {
    w.openData(FTS_FIXTURES "/topics_small.csv");
    QTRY_VERIFY_WITH_TIMEOUT(w.datasetPanel()->result() != nullptr, 15000);
    QCOMPARE(w.datasetPanel()->table()->rowCount(), 120);
    QVERIFY(w.trainingPanel()->trainButton()->isEnabled());
  }

  static void setSteps(MainWindow& w, int steps, int evalEvery) {
    fts::TrainConfig c = w.trainingPanel()->config();
    c.train.steps = steps;
    c.train.eval_every = evalEvery;
    c.train.batch_size = 8;
    c.model.hidden_size = 64;
    c.model.vocab_size = 800;
    w.trainingPanel()->setConfig(c);
  }

 private slots:
  void trainsTwentyStepsAndPlots() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    loadFixture(w);
    setSteps(w, 20, 5);
    QTest::mouseClick(w.trainingPanel()->trainButton(), Qt::LeftButton);
    QVERIFY(w.controller()->isActive());
    QVERIFY(!w.trainingPanel()->trainButton()->isEnabled());
    QVERIFY(w.trainingPanel()->stopButton()->isEnabled());

    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isActive(), 120000);
    QCOMPARE(w.controller()->lastSummary().state, fts::TrainerState::Finished);
    QCOMPARE(w.controller()->lastSummary().steps, 20);
    MetricPlot* loss = w.trainingPanel()->lossPlot();
    QCOMPARE(loss->pointCount("train/loss"), 20);
    QVERIFY(loss->pointCount("val/loss") >= 4);  // every 5 steps and at epoch ends
    QVERIFY(w.trainingPanel()->qualityPlot()->pointCount("val/accuracy") >= 4);
    QCOMPARE(w.trainingPanel()->progressBar()->value(), 20);
    QVERIFY(w.trainingPanel()->progressLabel()->text().contains("20 / 20"));
    QVERIFY(w.trainingPanel()->trainButton()->isEnabled());
  }

  void modelPickerListsTheShippedBaseModel() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* picker = w.trainingPanel()->findChild<fts::ui::ModelPickerButton*>("modelPicker");
    QVERIFY(picker);
    // build/bin/../../projects/base-model/model: the picker finds it beside the executable's tree.
    QStringList entries = picker->entries();
    bool shipped = false;
    for (const QString& e : entries) shipped |= e.startsWith("base-model — LlamaForCausalLM") && e.contains("sentencepiece");
    QVERIFY2(shipped, qPrintable(entries.join('\n')));
    // Picking the entry fills the base model field with its folder.
    auto* base = w.trainingPanel()->findChild<QLineEdit*>("baseModel");
    base->clear();
    for (QAction* a : picker->menu()->actions())
      if (a->text().startsWith("base-model")) a->trigger();
    QVERIFY2(base->text().endsWith("projects/base-model/model"), qPrintable(base->text()));
    // An encoder's continued pretraining is a task of the run settings too.
    auto* task = w.trainingPanel()->findChild<QComboBox*>("task");
    QVERIFY(task);
    task->setCurrentIndex(task->findData(QStringLiteral("mlm")));
    QCOMPARE(w.trainingPanel()->config().task, std::string("mlm"));
    task->setCurrentIndex(0);
    base->clear();
  }

  void baselineFromTheMethodList() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    loadFixture(w);
    auto* method = w.trainingPanel()->findChild<QComboBox*>("method");
    QVERIFY(method);
    const int bow = method->findData(QStringLiteral("bow"));
    QVERIFY(bow >= 0);
    method->setCurrentIndex(bow);
    QCOMPARE(w.trainingPanel()->config().model.type, std::string("bow"));
    // The network's shape is asked for only when it matters: not for a baseline, not with a base model.
    auto* hidden = w.trainingPanel()->findChild<QSpinBox*>("hiddenSize");
    auto* base = w.trainingPanel()->findChild<QLineEdit*>("baseModel");
    QVERIFY(hidden && base);
    QVERIFY(!hidden->isEnabled());
    method->setCurrentIndex(method->findData(QStringLiteral("full")));
    base->clear();
    QVERIFY(hidden->isEnabled());
    base->setText(QStringLiteral("/some/base/model"));
    QVERIFY(!hidden->isEnabled());
    // Greyed fields show the base model's own shape (the shipped base: 256 wide, 4 layers, 4 heads).
    hidden->setValue(64);
    base->setText(QStringLiteral(FTS_SOURCE_DIR "/projects/base-model/model"));
    QCOMPARE(hidden->value(), 256);
    QCOMPARE(w.trainingPanel()->findChild<QSpinBox*>("layers")->value(), 4);
    base->clear();
    method->setCurrentIndex(bow);
    QTest::mouseClick(w.trainingPanel()->trainButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isActive(), 60000);
    const auto& s = w.controller()->lastSummary();
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    QVERIFY(s.metrics.count("accuracy"));
    QCOMPARE(w.trainingPanel()->qualityPlot()->pointCount("val/accuracy"), 1);
    // Back to the network: the type follows the list.
    method->setCurrentIndex(method->findData(QStringLiteral("full")));
    QCOMPARE(w.trainingPanel()->config().model.type, std::string("llama"));
  }

  void stopsPromptlyAndStaysResponsive() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    loadFixture(w);
    setSteps(w, 100000, 0);
    QTest::mouseClick(w.trainingPanel()->trainButton(), Qt::LeftButton);
    MetricPlot* loss = w.trainingPanel()->lossPlot();
    QTRY_VERIFY_WITH_TIMEOUT(loss->pointCount("train/loss") >= 60, 120000);

    // The event loop keeps turning while both cores train: a zero-delay timer fires between ticks.
    int turns = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, [&] { ++turns; });
    ticker.start(0);
    QTest::qWait(300);
    ticker.stop();
    QVERIFY2(turns > 10, qPrintable(QString("event loop turned only %1 times in 300 ms").arg(turns)));

    // Points are coalesced: at most one replot per timer tick, however many points a tick brings.
    const int ticks = w.controller()->deliveringTicks();
    QVERIFY2(loss->replotCount() <= ticks,
             qPrintable(QString("%1 replots in %2 ticks").arg(loss->replotCount()).arg(ticks)));

    QTest::mouseClick(w.trainingPanel()->stopButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isActive(), 10000);
    QCOMPARE(w.controller()->lastSummary().state, fts::TrainerState::Stopped);
    QVERIFY(w.controller()->lastSummary().steps < 100000);
    QVERIFY(w.trainingPanel()->trainButton()->isEnabled());
  }

  void flatSeriesGetsATightAxis() {
    // Accuracy 1.0 at every evaluation: the axis hugs 1.0 instead of keeping its initial 0..5.
    MetricPlot plot;
    plot.addSeries("val/accuracy", "accuracy", Qt::green);
    for (int step : {10, 20, 30}) plot.append("val/accuracy", step, 1.0);
    plot.flush();
    const QCPRange r = plot.plot()->yAxis->range();
    QVERIFY2(r.lower > 0.9 && r.lower < 1.0 && r.upper > 1.0 && r.upper < 1.1, qPrintable(QString("%1..%2").arg(r.lower).arg(r.upper)));
  }

  void badFileShowsItsProblem() {
    MainWindow w;
    w.openData(FTS_FIXTURES "/no_such_file.csv");
    QSignalSpy failed(w.datasetPanel(), &DatasetPanel::failed);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
    QVERIFY(failed.at(0).at(1).toString().contains("no_such_file.csv: no such file"));
    QVERIFY(!w.trainingPanel()->trainButton()->isEnabled());
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
