// The Dataset panel, offscreen: its "over max length" figures follow the run's max length as the
// user edits it (recounted, not re-read), and a project's validation and test files are checked
// for rows of the training file (leakage), in the worker, with a warning line and examples.
#include "ui/DatasetPanel.h"
#include "ui/MainWindow.h"
#include "ui/TrainingPanel.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace fts::ui;

namespace {

// Rows of known lengths in words (= approximate tokens): 3, 5, 10, 12, 20, 30, 40, 50.
const int kWords[] = {3, 5, 10, 12, 20, 30, 40, 50};

QString rowText(int row, int words) {
  QStringList w;
  for (int k = 0; k < words; ++k) w << QStringLiteral("w%1x%2").arg(row).arg(k);
  return w.join(' ');
}

void write(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(bytes);
}

QByteArray trainCsv() {
  QByteArray csv = "text,label\n";
  for (int i = 0; i < 8; ++i) csv += rowText(i, kWords[i]).toUtf8() + "," + (i % 2 ? "b" : "a") + "\n";
  return csv;
}

}  // namespace

class TestDatasetPanel : public QObject {
  Q_OBJECT
 private slots:
  void badRowPolicyReachesTheRunSettings() {
    MainWindow w;
    auto* policy = w.datasetPanel()->findChild<QComboBox*>("errorPolicy");
    QVERIFY(policy);
    QCOMPARE(w.trainingPanel()->config().data.on_error, std::string("stop"));
    policy->setCurrentIndex(policy->findData(QStringLiteral("skip")));
    QCOMPARE(w.trainingPanel()->config().data.on_error, std::string("skip"));
    // A project's setting shows in the panel.
    QTemporaryDir dir;
    write(dir.filePath("train.csv"), trainCsv());
    write(dir.filePath("p.ftproject"), R"({"data": {"train": "train.csv", "on_error": "stop"}})");
    QVERIFY(w.openProject(dir.filePath("p.ftproject"), true));
    QCOMPARE(w.datasetPanel()->errorPolicy(), QString("stop"));
    QCOMPARE(w.trainingPanel()->config().data.on_error, std::string("stop"));
    QTRY_VERIFY_WITH_TIMEOUT(!w.datasetPanel()->isLoading(), 15000);
  }

  void overMaxLengthFollowsTheRunSetting() {
    QTemporaryDir dir;
    write(dir.filePath("train.csv"), trainCsv());
    MainWindow w;
    DatasetPanel* data = w.datasetPanel();
    QSignalSpy loaded(data, &DatasetPanel::loaded);
    w.openData(dir.filePath("train.csv"));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 15000);
    QCOMPARE(data->maxLength(), 128);  // the default run setting
    QCOMPARE(data->overMaxLength(), qint64{0});
    QVERIFY(data->profileLabel()->text().contains("0 over 128"));

    QSpinBox* maxLen = w.trainingPanel()->maxLengthBox();
    maxLen->setValue(16);  // as the user types it in the Training panel
    QCOMPARE(data->maxLength(), 16);
    QCOMPARE(data->overMaxLength(), qint64{4});  // 20, 30, 40, 50 words
    QVERIFY2(data->profileLabel()->text().contains("4 over 16"), qPrintable(data->profileLabel()->text()));
    QVERIFY2(data->problemsView()->toPlainText().contains("4 rows (50.0%) are longer than the max length of 16 tokens"),
             qPrintable(data->problemsView()->toPlainText()));

    maxLen->setValue(8);
    QCOMPARE(data->overMaxLength(), qint64{6});
    QVERIFY(data->profileLabel()->text().contains("6 over 8"));
    maxLen->setValue(64);
    QCOMPARE(data->overMaxLength(), qint64{0});
    QVERIFY(!data->problemsView()->toPlainText().contains("longer than the max length"));

    // Recounted on the spot: no second load, nothing running.
    QVERIFY(!data->isLoading());
    QCOMPARE(loaded.count(), 1);
  }

  void projectLeakageIsShownWithExamples() {
    QTemporaryDir dir;
    write(dir.filePath("train.csv"), trainCsv());
    // Test: row 2 repeats training row 3 (train.csv:4) exactly, row 3 repeats row 5 (train.csv:6)
    // in other case and spacing; rows 4 and 5 are new.
    QByteArray test = "text,label\n";
    test += rowText(2, 10).toUtf8() + ",a\n";
    test += "  " + rowText(4, 20).toUpper().replace(" ", "   ").toUtf8() + "  ,a\n";
    test += "something new entirely,b\n";
    test += "and one more,a\n";
    write(dir.filePath("test.csv"), test);
    write(dir.filePath("validation.csv"), "text,label\nfresh words here,a\nother fresh words,b\n");
    write(dir.filePath("leak.ftproject"),
          R"({"name": "leak", "task": "cls",
              "data": {"train": "train.csv", "validation": "validation.csv", "test": "test.csv", "max_len": 10}})");

    MainWindow w;
    DatasetPanel* data = w.datasetPanel();
    QSignalSpy loaded(data, &DatasetPanel::loaded);
    QVERIFY(w.openProject(dir.filePath("leak.ftproject"), /*quiet=*/true));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 15000);

    QCOMPARE(data->maxLength(), 10);  // the project's data.max_len
    QCOMPARE(data->overMaxLength(), qint64{5});

    QCOMPARE(data->leakage().size(), 2);
    const auto& val = data->leakage()[0];
    const auto& tst = data->leakage()[1];
    QCOMPARE(val.split, QString("validation"));
    QCOMPARE(val.rows, qint64{2});
    QCOMPARE(val.normalized, qint64{0});
    QCOMPARE(tst.split, QString("test"));
    QCOMPARE(tst.rows, qint64{4});
    QCOMPARE(tst.exact, qint64{1});
    QCOMPARE(tst.normalized, qint64{2});
    QCOMPARE(tst.examples.size(), 2);
    QVERIFY2(tst.examples[0].startsWith("test.csv:2 = train.csv:4"), qPrintable(tst.examples[0]));
    QVERIFY2(tst.examples[1].startsWith("test.csv:3 = train.csv:6"), qPrintable(tst.examples[1]));

    QLabel* warning = data->leakageLabel();
    QVERIFY(!warning->isHidden());
    const QString text = warning->text();
    QVERIFY2(text.contains("2 of the 4 rows of the test file test.csv also occur in the training file (1 exactly)"), qPrintable(text));
    QVERIFY(text.contains("test.csv:2 = train.csv:4"));
    QVERIFY(text.contains("No overlap between the training file and the validation file validation.csv (2 rows)"));
  }

  void unreadableHeldOutFileIsNamed() {
    QTemporaryDir dir;
    write(dir.filePath("train.csv"), trainCsv());
    MainWindow w;
    DatasetPanel* data = w.datasetPanel();
    QSignalSpy loaded(data, &DatasetPanel::loaded);
    data->open(dir.filePath("train.csv"), {}, {QString(), dir.filePath("missing.csv")});
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 15000);
    QCOMPARE(data->leakage().size(), 1);
    QVERIFY(!data->leakage()[0].error.isEmpty());
    QVERIFY2(data->leakageLabel()->text().contains("The test file missing.csv cannot be read"), qPrintable(data->leakageLabel()->text()));
    QVERIFY(data->leakageLabel()->text().contains("missing.csv: no such file"));

    // A plain data file (no project): no held-out files, no leakage line.
    data->open(dir.filePath("train.csv"));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 2, 15000);
    QVERIFY(data->leakage().isEmpty());
    QVERIFY(data->leakageLabel()->isHidden());
  }
};

QTEST_MAIN(TestDatasetPanel)
#include "test_dataset_panel.moc"
