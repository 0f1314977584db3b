// Per-class figures in the GUI, offscreen: the confusion matrix and the class table show the numbers
// of an evaluation report (one made here, and the ones a real tiny run sends), the Training panel
// titles them with split and step, and the run folder keeps them in eval_report.json.
#include "core/runs/EvalReport.h"
#include "core/train/TrainConfig.h"
#include "ui/DatasetPanel.h"
#include "ui/MainWindow.h"
#include "ui/TrainingController.h"
#include "ui/TrainingPanel.h"
#include "widgets/AdaptivePairView.h"
#include "widgets/ClassMetricsTable.h"
#include "widgets/ConfusionMatrixView.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolTip>
#include <QtTest>

using namespace fts::ui;

namespace {

// n classes, named in Chinese and English; row t predicts t mostly, some t+1.
fts::EvalReportEvent makeReport(int n, const std::string& split, std::int64_t step) {
  fts::EvalReportEvent r;
  r.split = split;
  r.step = step;
  r.epoch = 1.25;
  const char* names[] = {"科学", "food", "computers", "诗歌与文学", "love", "politics", "sports", "a rather long class name here", "数学", "art"};
  r.confusion.assign(static_cast<size_t>(n), std::vector<long>(static_cast<size_t>(n), 0));
  for (int t = 0; t < n; ++t) {
    r.labels.push_back(names[t % 10]);
    r.confusion[t][t] = 5 + t;
    r.confusion[t][(t + 1) % n] = t % 3;
  }
  // Figures as the metrics compute them.
  long total = 0, correct = 0;
  for (int c = 0; c < n; ++c) {
    long tp = r.confusion[c][c], fp = 0, fn = 0;
    for (int k = 0; k < n; ++k)
      if (k != c) fp += r.confusion[k][c], fn += r.confusion[c][k];
    r.support.push_back(tp + fn);
    r.precision.push_back(double(tp) / double(tp + fp));
    r.recall.push_back(double(tp) / double(tp + fn));
    r.f1.push_back(2 * r.precision.back() * r.recall.back() / (r.precision.back() + r.recall.back()));
    total += tp + fn;
    correct += tp;
  }
  r.accuracy = double(correct) / double(total);
  for (int c = 0; c < n; ++c) r.macroF1 += r.f1[c] / n, r.weightedF1 += r.f1[c] * r.support[c] / double(total);
  return r;
}

void checkShows(TrainingPanel* panel, const fts::EvalReportEvent& r) {
  ConfusionMatrixView* m = panel->confusionView();
  const int n = static_cast<int>(r.labels.size());
  QCOMPARE(m->classCount(), n);
  for (int t = 0; t < n; ++t) {
    QCOMPARE(m->labels()[t], QString::fromStdString(r.labels[t]));
    for (int p = 0; p < n; ++p) {
      QCOMPARE(m->count(t, p), static_cast<qint64>(r.confusion[t][p]));
      QCOMPARE(m->cellText(t, p), QString::number(r.confusion[t][p]));
    }
  }
  ClassMetricsTable* table = panel->classTable();
  QCOMPARE(table->classCount(), n);
  QCOMPARE(table->table()->rowCount(), n + 2);
  for (int c = 0; c < n; ++c) {
    QCOMPARE(table->text(c, 0), QString::fromStdString(r.labels[c]));
    QCOMPARE(table->text(c, 1), QString::number(r.precision[c], 'f', 3));
    QCOMPARE(table->text(c, 2), QString::number(r.recall[c], 'f', 3));
    QCOMPARE(table->text(c, 3), QString::number(r.f1[c], 'f', 3));
    QCOMPARE(table->text(c, 4), QString::number(r.support[c]));
  }
  QCOMPARE(table->text(n, 3), QString::number(r.macroF1, 'f', 3));
  QCOMPARE(table->text(n + 1, 3), QString::number(r.weightedF1, 'f', 3));
  QCOMPARE(table->text(n + 1, 2), QString::number(r.accuracy, 'f', 3));  // weighted recall = accuracy
  long total = 0;
  for (long s : r.support) total += s;
  QCOMPARE(table->text(n, 4), QString::number(total));
  QVERIFY2(panel->reportTitle()->text().contains(QString::number(r.accuracy, 'f', 3)), qPrintable(panel->reportTitle()->text()));
  QVERIFY(panel->reportTitle()->text().contains(QString::number(r.step)));
}

}  // namespace

class TestEvalReportViews : public QObject {
  Q_OBJECT
 private slots:
  void chineseFontsAreInstalled() {
    // Class names in Chinese must render as glyphs, not boxes (fonts-noto-cjk).
    QVERIFY2(!QFontDatabase::families(QFontDatabase::SimplifiedChinese).isEmpty(), "no font for Simplified Chinese: install fonts-noto-cjk");
  }

  void confusionMatrixColoursByRowShare() {
    ConfusionMatrixView m;
    m.resize(600, 500);
    m.setMatrix({"a", "b"}, {{9, 1}, {30, 70}});
    QCOMPARE(m.rowShare(0, 0), 0.9);
    QCOMPARE(m.rowShare(1, 0), 0.3);
    // Row-normalised: 9 of 10 is darker than 30 of 100, although 30 > 9.
    QVERIFY(m.cellColor(0, 0).lightness() < m.cellColor(1, 0).lightness());
    QVERIFY(m.cellColor(1, 1).lightness() < m.cellColor(1, 0).lightness());
    QVERIFY(m.cellRect(0, 1).left() == m.cellRect(0, 0).right() + 1);
    // Tooltips name the cell, the row or the column under the mouse, and nothing outside them.
    const QPoint up(0, m.cellRect(0, 0).height()), left(m.cellRect(0, 0).width(), 0);
    QCOMPARE(m.toolTipAt(m.cellRect(1, 0).center()), QString("true: b\npredicted: a\n30 of 100 samples (30.0%)"));
    QCOMPARE(m.toolTipAt(m.cellRect(1, 0).center() - left), QString("true class b: 100 samples"));
    QCOMPARE(m.toolTipAt(m.cellRect(0, 1).center() - up), QString("predicted class b"));
    QCOMPARE(m.toolTipAt(m.cellRect(1, 1).bottomRight() + QPoint(5, 5)), QString());
    QCOMPARE(m.toolTipAt(m.cellRect(0, 1).center() + left), QString());  // right of the grid
    m.show();
    QVERIFY(QTest::qWaitForWindowExposed(&m));
    QHelpEvent help(QEvent::ToolTip, m.cellRect(0, 0).center(), m.mapToGlobal(m.cellRect(0, 0).center()));
    QCoreApplication::sendEvent(&m, &help);
    QTRY_COMPARE(QToolTip::text(), QString("true: a\npredicted: a\n9 of 10 samples (90.0%)"));
    m.setMatrix({"a", "b"}, {{1, 2, 3}, {4, 5, 6}});  // not square: refused, cleared
    QCOMPARE(m.classCount(), 0);
  }

  void tenClassesWithChineseNamesFitAndRender() {
    ConfusionMatrixView m;
    const auto r = makeReport(10, "validation", 40);
    QStringList labels;
    QVector<QVector<qint64>> counts;
    for (size_t i = 0; i < r.labels.size(); ++i) {
      labels << QString::fromStdString(r.labels[i]);
      counts.append(QVector<qint64>(r.confusion[i].begin(), r.confusion[i].end()));
    }
    m.setMatrix(labels, counts);
    m.resize(m.minimumSizeHint());
    // Every cell inside the widget, none overlapping, each wide enough for its count.
    const QRect area = m.rect();
    for (int t = 0; t < 10; ++t)
      for (int p = 0; p < 10; ++p) {
        const QRect c = m.cellRect(t, p);
        QVERIFY2(area.contains(c), qPrintable(QString("cell %1,%2 outside %3x%4").arg(t).arg(p).arg(area.width()).arg(area.height())));
        QVERIFY(c.width() >= m.fontMetrics().horizontalAdvance(m.cellText(t, p)));
      }
    // Drawn: the diagonal cells are dark (largest share of their rows), the empty ones near white.
    const QImage img = m.grab().toImage();
    QVERIFY(QColor(img.pixel(m.cellRect(3, 3).topLeft() + QPoint(2, 2))).lightness() < 128);
    QVERIFY(QColor(img.pixel(m.cellRect(3, 7).topLeft() + QPoint(2, 2))).lightness() > 230);
    // The row names are drawn left of the grid (dark pixels there), Chinese ones included.
    const QRect nameArea(0, m.cellRect(0, 0).top(), m.cellRect(0, 0).left() - 4, m.cellRect(0, 0).height());
    int dark = 0;
    for (int y = nameArea.top(); y <= nameArea.bottom(); ++y)
      for (int x = nameArea.left(); x <= nameArea.right(); ++x) dark += QColor(img.pixel(x, y)).lightness() < 100;
    QVERIFY2(dark > 20, "the first row's name (科学) was not drawn");
  }

  void matrixAndTableSitSideBySideOnlyWhenTheyFit() {
    ConfusionMatrixView* matrix = new ConfusionMatrixView;
    ClassMetricsTable* table = new ClassMetricsTable;
    table->setShowAllRows(true);
    AdaptivePairView view(matrix, table);
    const auto r = makeReport(8, "validation", 40);
    QStringList labels;
    QVector<QVector<qint64>> counts;
    QVector<ClassMetricsRow> rows;
    for (size_t i = 0; i < r.labels.size(); ++i) {
      labels << QString::fromStdString(r.labels[i]);
      counts.append(QVector<qint64>(r.confusion[i].begin(), r.confusion[i].end()));
      rows.append({labels.back(), r.precision[i], r.recall[i], r.f1[i], r.support[i]});
    }
    matrix->setMatrix(labels, counts);
    table->setMetrics(rows, {}, {});
    view.resize(1400, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // Every row of the table shown whole, no scroll bar inside it.
    QCOMPARE(table->table()->verticalScrollBarPolicy(), Qt::ScrollBarAlwaysOff);
    QTableWidget* t = table->table();
    QVERIFY2(t->viewport()->height() >= t->verticalHeader()->length(),
             qPrintable(QString("%1 < %2").arg(t->viewport()->height()).arg(t->verticalHeader()->length())));
    QVERIFY(t->viewport()->width() >= t->horizontalHeader()->length());
    QTRY_VERIFY(view.isSideBySide());
    QVERIFY(table->geometry().left() >= matrix->geometry().right());
    view.resize(500, 600);
    QTRY_VERIFY(!view.isSideBySide());
    QVERIFY(table->geometry().top() >= matrix->geometry().bottom());
    // Stacked, nothing is cut sideways: the page is no wider than the view.
    QVERIFY2(view.widget()->width() <= view.viewport()->width(),
             qPrintable(QString("page %1 > view %2").arg(view.widget()->width()).arg(view.viewport()->width())));
    view.resize(1400, 600);
    QTRY_VERIFY(view.isSideBySide());
  }

  void panelShowsAReportAndSwitchesBetweenSplits() {
    MainWindow w;
    TrainingPanel* panel = w.trainingPanel();
    QCOMPARE(panel->confusionView()->classCount(), 0);
    QVERIFY(panel->reportTitle()->text().startsWith("No evaluation yet"));

    const auto val = makeReport(9, "validation", 40);
    emit w.controller()->evalReport(val);
    checkShows(panel, val);
    QCOMPARE(panel->shownReportSplit(), QString("validation"));
    QVERIFY(panel->reportTitle()->text().contains("Validation at step 40 (epoch 1.25)"));
    QCOMPARE(panel->resultTabs()->tabText(panel->resultTabs()->indexOf(panel->perClassTab())), QString("Per class (step 40)"));

    const auto test = makeReport(9, "test", 60);
    emit w.controller()->evalReport(test);
    checkShows(panel, test);
    QVERIFY(panel->reportTitle()->text().contains("Test set after the run (step 60)"));
    QCOMPARE(panel->reportChoice()->count(), 2);

    // The user picks the validation report again.
    QComboBox* choice = panel->reportChoice();
    const int v = choice->findData("validation");
    choice->setCurrentIndex(v);
    emit choice->activated(v);
    checkShows(panel, val);

    // Sorting the table by F1 keeps the averages last and the figures with their class.
    QTableWidget* t = panel->classTable()->table();
    emit t->horizontalHeader()->sectionClicked(3);
    for (int row = 1; row < 9; ++row) QVERIFY(t->item(row - 1, 3)->text().toDouble() <= t->item(row, 3)->text().toDouble());
    QCOMPARE(t->item(9, 0)->text(), QString("macro average"));
    QCOMPARE(t->item(10, 0)->text(), QString("weighted average"));
  }

  void tinyRunShowsItsValidationAndTestReports() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.openData(FTS_FIXTURES "/topics_small.csv");
    QTRY_VERIFY_WITH_TIMEOUT(w.datasetPanel()->result() != nullptr, 15000);
    fts::TrainConfig c = w.trainingPanel()->config();
    c.train.steps = 10;
    c.train.eval_every = 5;
    c.train.batch_size = 8;
    c.model.hidden_size = 64;
    c.model.vocab_size = 800;
    c.data.test = FTS_FIXTURES "/topics_small.csv";  // a test set, so the run ends with a test report
    w.trainingPanel()->setConfig(c);

    std::map<std::string, fts::EvalReportEvent> received;
    int emitted = 0;
    connect(w.controller(), &TrainingController::evalReport, this, [&](const fts::EvalReportEvent& r) {
      received[r.split] = r;
      ++emitted;
    });
    QTest::mouseClick(w.trainingPanel()->trainButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isActive(), 120000);
    QCOMPARE(w.controller()->lastSummary().state, fts::TrainerState::Finished);
    QVERIFY(received.count("validation") && received.count("test"));
    QVERIFY(emitted >= 2);

    // The newest report (the test's) is on screen, with the numbers the trainer sent.
    const auto& test = received.at("test");
    QCOMPARE(w.trainingPanel()->shownReportSplit(), QString("test"));
    QCOMPARE(test.labels.size(), std::size_t{3});
    long total = 0;
    for (const auto& row : test.confusion)
      for (long v : row) total += v;
    QCOMPARE(total, 120L);  // every test row counted once
    checkShows(w.trainingPanel(), test);
    QCOMPARE(w.trainingPanel()->reportChoice()->count(), 2);

    // The run folder holds the same reports.
    const auto stored = fts::loadEvalReports(w.controller()->lastSummary().runDir);
    QCOMPARE(stored.size(), std::size_t{2});
    QCOMPARE(stored.at("test").confusion, test.confusion);
    QCOMPARE(stored.at("validation").step, received.at("validation").step);
    QCOMPARE(stored.at("validation").confusion, received.at("validation").confusion);

    if (qEnvironmentVariableIsSet("FTS_SCREENSHOT_DIR")) {
      w.trainingPanel()->resultTabs()->setCurrentWidget(w.trainingPanel()->perClassTab());
      QTest::qWait(100);
      w.grab().save(qEnvironmentVariable("FTS_SCREENSHOT_DIR") + "/per-class-tiny.png");
    }
  }
};

QTEST_MAIN(TestEvalReportViews)
#include "test_eval_report_views.moc"
