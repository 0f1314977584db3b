// The GUI speaks Simplified Chinese for a zh_CN locale, with every string of the .ts translated.
#include "ui/MainWindow.h"
#include "ui/Translations.h"
#include "ui/TrainingPanel.h"

#include <QFile>
#include <QPushButton>
#include <QtTest>

class TestTranslations : public QObject {
  Q_OBJECT
 private slots:
  void everyMessageIsTranslated() {
    QFile ts(FTS_SOURCE_DIR "/resources/translations/finetune-studio_zh_CN.ts");
    QVERIFY(ts.open(QIODevice::ReadOnly));
    const QByteArray text = ts.readAll();
    QVERIFY(text.count("<source>") > 50);
    QCOMPARE(text.count("type=\"unfinished\""), 0);
  }

  void chineseLocaleTranslatesTheWindow() {
    QVERIFY(fts::ui::installTranslations(QLocale(QLocale::Chinese, QLocale::China)));
    fts::ui::MainWindow w;
    QCOMPARE(w.trainingPanel()->trainButton()->text(), QString::fromUtf8("训练"));
    QCOMPARE(w.trainingPanel()->stopButton()->text(), QString::fromUtf8("停止"));
  }
};

QTEST_MAIN(TestTranslations)
#include "test_translations.moc"
