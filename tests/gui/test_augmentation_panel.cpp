// The Augmentation panel's main flow offscreen: open a CSV, preview sr + rd on a fixed seed,
// regenerate, the same seed again, write the set offline; and ChangeLogView's byte -> UTF-16
// offsets on Chinese text with an emoji.
#include "core/augment/ChangeLog.h"
#include "ui/AugmentationPanel.h"
#include "ui/DatasetPanel.h"
#include "ui/MainWindow.h"
#include "ui/TrainingPanel.h"
#include <QComboBox>
#include "widgets/ChangeLogView.h"

#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace fts::ui;
using fts::augment::Operation;

namespace {

// Every variant's outputs, sample by sample.
QStringList outputsOf(const AugmentationPanel& p) {
  QStringList out;
  for (const auto& s : p.previewSamples())
    for (const auto& v : s.variants) out << QString::fromStdString(v.output);
  return out;
}

// The view's document with the struck-through deletions taken out: the variant's output.
QString withoutDeletions(const ChangeLogView& v) {
  QString text = v.toPlainText();
  const auto& hs = v.highlights();
  for (auto it = hs.rbegin(); it != hs.rend(); ++it)
    if (it->deletion) text.remove(it->begin, it->end - it->begin);
  return text;
}

// Each highlight shows exactly its edit's token (new, or the deleted old one).
void checkHighlights(const ChangeLogView& v) {
  const QString doc = v.toPlainText();
  QCOMPARE(v.highlights().size(), static_cast<qsizetype>(v.log().edits.size()));
  for (const auto& h : v.highlights()) {
    const auto& e = v.log().edits[static_cast<std::size_t>(h.edit)];
    const QString shown = doc.mid(h.begin, h.end - h.begin);
    QCOMPARE(shown, QString::fromStdString(h.deletion ? e.oldToken : e.newToken));
    QVERIFY(v.toolTipAt(h.begin).contains(QString::fromLatin1(fts::augment::shortName(e.op))));
  }
  QVERIFY(v.toolTipAt(-1).isEmpty());
}

}  // namespace

class TestAugmentationPanel : public QObject {
  Q_OBJECT
 private slots:
  void byteOffsetsBecomeQStringPositionsForChineseAndEmoji() {
    const std::string text = "我爱😀苹果ok";  // 3 + 3 + 4 + 3 + 3 + 1 + 1 bytes
    QCOMPARE(ChangeLogView::utf16Offset(text, 0), 0);
    QCOMPARE(ChangeLogView::utf16Offset(text, 3), 1);
    QCOMPARE(ChangeLogView::utf16Offset(text, 6), 2);
    QCOMPARE(ChangeLogView::utf16Offset(text, 10), 4);  // the emoji is a surrogate pair
    QCOMPARE(ChangeLogView::utf16Offset(text, 16), 6);
    QCOMPARE(ChangeLogView::utf16Offset(text, text.size()), int(QString::fromStdString(text).size()));
    QCOMPARE(ChangeLogView::utf16Offset(text, 1000), int(QString::fromStdString(text).size()));

    // 苹果 -> 水果 after the emoji, and the emoji deleted: the highlights land on those characters.
    fts::augment::ChangeLog log;
    fts::augment::Edit del;
    del.op = Operation::RandomDeletion;
    del.wordIndex = 2;
    del.sourceBegin = 6;
    del.sourceEnd = 10;
    del.oldToken = "😀";
    fts::augment::Edit sr;
    sr.op = Operation::SynonymReplacement;
    sr.wordIndex = 3;
    sr.sourceBegin = 10;
    sr.sourceEnd = 16;
    sr.oldToken = "苹果";
    sr.newToken = "水果";
    sr.from = "user:test.txt";
    log.edits = {del, sr};
    const std::string output = fts::augment::finishChangeLog(text, log);
    QCOMPARE(QString::fromStdString(output), QString::fromUtf8("我爱水果ok"));
    ChangeLogView view;
    view.setVariant(output, log);
    QCOMPARE(view.highlights().size(), qsizetype(2));
    checkHighlights(view);
    QCOMPARE(view.highlights()[0].begin, 2);
    QCOMPARE(view.highlights()[0].end, 4);  // two code units
    QCOMPARE(view.highlights()[1].begin, 4);
    QCOMPARE(view.highlights()[1].end, 6);
    QCOMPARE(withoutDeletions(view), QString::fromStdString(output));
    QVERIFY(view.toolTipAt(4).contains("user:test.txt"));
    QVERIFY(view.toolTipAt(4).contains(QString::fromUtf8("苹果")));
    QVERIFY(view.toolTipAt(0).isEmpty());
  }

  void previewRegenerateAndWriteOffline() {
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* panel = w.findChild<AugmentationPanel*>("augmentationPanel");
    QVERIFY(panel);
    auto* tabs = w.findChild<QTabWidget*>("dataTabs");
    QVERIFY(tabs);
    tabs->setCurrentWidget(panel);  // the tab beside the Dataset panel
    QVERIFY(panel->isVisible());
    QVERIFY(!panel->previewButton()->isEnabled());
    w.openData(FTS_FIXTURES "/topics_small.csv");
    QTRY_VERIFY_WITH_TIMEOUT(w.datasetPanel()->result() != nullptr, 15000);
    QTRY_VERIFY(panel->previewButton()->isEnabled());

    for (Operation op : {Operation::RandomInsertion, Operation::RandomSwap, Operation::Punctuation, Operation::CharacterNoise})
      panel->setOperation(op, false, 0.1);
    panel->setOperation(Operation::SynonymReplacement, true, 0.2);
    panel->setOperation(Operation::RandomDeletion, true, 0.2);
    panel->setVariantCount(2);
    panel->setSampleCount(3);
    panel->setSeed(7);
    QSignalSpy ready(panel, &AugmentationPanel::previewReady);
    QSignalSpy failed(panel, &AugmentationPanel::failed);
    QTest::mouseClick(panel->previewButton(), Qt::LeftButton);
    QVERIFY(ready.wait(60000));  // WordNet is read once, in the worker
    QCOMPARE(failed.count(), 0);

    QCOMPARE(panel->previewSamples().size(), std::size_t(3));
    int shown = 0;
    for (int r = 0; r < 3; ++r) {
      const auto& s = panel->previewSamples()[static_cast<std::size_t>(r)];
      QCOMPARE(panel->viewAt(r, 0)->toPlainText(), QString::fromStdString(s.sample.text));
      for (int c = 0; c < static_cast<int>(s.variants.size()); ++c) {
        const auto& v = s.variants[static_cast<std::size_t>(c)];
        QVERIFY(v.output != s.sample.text);
        for (Operation op : v.ops) QVERIFY(op == Operation::SynonymReplacement || op == Operation::RandomDeletion);
        ChangeLogView* view = panel->viewAt(r, c + 1);
        QVERIFY(view);
        QVERIFY(!view->highlights().isEmpty());
        checkHighlights(*view);
        QCOMPARE(withoutDeletions(*view), QString::fromStdString(v.output));
        QCOMPARE(fts::augment::applyChangeLog(s.sample.text, v.log), v.output);
        ++shown;
      }
    }
    QVERIFY(shown >= 3);
    // Both operations ran, sr with WordNet's synonyms.
    bool wordnet = false, deleted = false;
    for (const auto& s : panel->previewSamples())
      for (const auto& v : s.variants)
        for (const auto& e : v.log.edits) {
          wordnet |= e.op == Operation::SynonymReplacement && e.from == "wordnet";
          deleted |= e.op == Operation::RandomDeletion;
        }
    QVERIFY(wordnet);
    QVERIFY(deleted);
    const QStringList first = outputsOf(*panel);

    // Regenerate: a new seed, other variants of the same samples.
    QTest::mouseClick(panel->regenerateButton(), Qt::LeftButton);
    QVERIFY(ready.wait(30000));
    QVERIFY(panel->seed() != 7);
    QVERIFY(outputsOf(*panel) != first);

    // The same seed again: the same variants.
    panel->setSeed(7);
    panel->preview();
    QVERIFY(ready.wait(30000));
    QCOMPARE(outputsOf(*panel), first);

    // The same settings for the next run: augment.* of the Training panel's config, shown there.
    auto* mode = panel->findChild<QComboBox*>("trainingAugmentation");
    QVERIFY(mode);
    mode->setCurrentIndex(mode->findData(QStringLiteral("online")));
    QTest::mouseClick(panel->findChild<QPushButton*>("useInTraining"), Qt::LeftButton);
    const fts::TrainConfig cfg = w.trainingPanel()->config();
    QCOMPARE(cfg.augment.mode, std::string("online"));
    QCOMPARE(cfg.augment.ops, std::string("sr=0.2,rd=0.2"));
    QCOMPARE(cfg.augment.n, 2);
    QCOMPARE(cfg.augment.seed, 7);
    QCOMPARE(cfg.augment.synonyms, std::string("wordnet"));
    QVERIFY2(w.trainingPanel()->augmentationSummary()->text().contains("sr=0.2,rd=0.2"),
             qPrintable(w.trainingPanel()->augmentationSummary()->text()));
    mode->setCurrentIndex(mode->findData(QStringLiteral("off")));
    QTest::mouseClick(panel->findChild<QPushButton*>("useInTraining"), Qt::LeftButton);
    QCOMPARE(w.trainingPanel()->config().augment.mode, std::string("off"));

    // Offline: the whole file, with provenance columns, and the change log beside it.
    QTemporaryDir dir;
    const QString out = dir.filePath("topics.augmented.csv");
    QSignalSpy written(panel, &AugmentationPanel::written);
    panel->writeAugmented(out);
    QVERIFY(panel->cancelButton()->isEnabled());
    QVERIFY(written.wait(60000));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(written.first().at(0).toString(), out);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QVERIFY(lines.first().contains("source_row"));
    QVERIFY(lines.first().contains("augment_ops"));
    QVERIFY(lines.size() > 121 + 120);  // the originals and at least one variant of most
    QVERIFY(lines.at(1).endsWith(","));  // an original: empty augment_ops
    int srRows = 0;
    for (const QByteArray& line : lines) srRows += line.endsWith(",sr") ? 1 : 0;
    QVERIFY(srRows > 10);
    QVERIFY(QFile::exists(written.first().at(1).toString()));
    QVERIFY(panel->statusLabel()->text().contains(written.first().at(1).toString()));
    QVERIFY(!panel->cancelButton()->isEnabled());

    // "Open it": the written set in the Dataset panel, originals and variants.
    QVERIFY(panel->openWrittenButton()->isVisible());
    QSignalSpy reloaded(w.datasetPanel(), &DatasetPanel::loaded);
    QTest::mouseClick(panel->openWrittenButton(), Qt::LeftButton);
    QVERIFY(reloaded.wait(15000));
    QCOMPARE(reloaded.first().at(0).toString(), out);
    QCOMPARE(w.datasetPanel()->result()->dataset.samples.size(), std::size_t(lines.size() - 2));  // header, final newline
  }

  void chineseSamplesWithEmojiShowTheirChangesExactly() {
    // Real variants of Chinese text (AEDA's Chinese marks, character-level noise, deletions): every
    // highlight lands on its edit's characters, none splits a character or an emoji's pair.
    QTemporaryDir dir;
    const QString csv = dir.filePath("zh.csv");
    QFile f(csv);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QString::fromUtf8("text,label\n"
                              "今天天气很好，我们一起去公园散步吧😀,日常\n"
                              "这本书的内容非常有意思，值得一读📚,阅读\n"
                              "他每天早上六点起床，然后去跑步🏃,日常\n"
                              "图书馆里的新书很多，借书也很方便,阅读\n").toUtf8());
    f.close();
    DatasetPanel dataset;
    AugmentationPanel panel(&dataset);
    dataset.open(csv);
    QTRY_VERIFY_WITH_TIMEOUT(dataset.result() != nullptr, 15000);
    QTRY_VERIFY(panel.previewButton()->isEnabled());
    panel.setOperation(Operation::SynonymReplacement, false, 0.1);
    panel.setOperation(Operation::RandomDeletion, true, 0.2);
    panel.setOperation(Operation::Punctuation, true, 0.3);
    panel.setOperation(Operation::CharacterNoise, true, 0.3);
    panel.setSynonyms(AugmentationPanel::SynonymChoice::None);
    panel.setVariantCount(3);
    panel.setSampleCount(4);
    panel.setSeed(11);
    QSignalSpy ready(&panel, &AugmentationPanel::previewReady);
    panel.preview();
    QVERIFY(ready.wait(30000));
    QCOMPARE(panel.previewSamples().size(), std::size_t(4));
    int checked = 0;
    for (int r = 0; r < 4; ++r) {
      const auto& s = panel.previewSamples()[static_cast<std::size_t>(r)];
      for (int c = 0; c < static_cast<int>(s.variants.size()); ++c) {
        ChangeLogView* view = panel.viewAt(r, c + 1);
        checkHighlights(*view);
        const QString doc = view->toPlainText();
        for (const auto& h : view->highlights()) {
          QVERIFY(!doc.at(h.begin).isLowSurrogate());
          QVERIFY(h.end >= doc.size() || !doc.at(h.end).isLowSurrogate());
        }
        QCOMPARE(withoutDeletions(*view), QString::fromStdString(s.variants[static_cast<std::size_t>(c)].output));
        ++checked;
      }
    }
    QVERIFY(checked >= 8);
  }
};

QTEST_MAIN(TestAugmentationPanel)
#include "test_augmentation_panel.moc"
