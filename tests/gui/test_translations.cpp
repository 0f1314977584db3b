// The GUI speaks Simplified Chinese for a zh_CN locale, with every string of the .ts translated.
#include "ui/MainWindow.h"
#include "ui/Translations.h"
#include "ui/TrainingPanel.h"

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
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

  void everyTrStringOfTheGuiIsInTheTs() {
    // A string added to the GUI without a translation would show English to Chinese users.
    QFile ts(FTS_SOURCE_DIR "/resources/translations/finetune-studio_zh_CN.ts");
    QVERIFY(ts.open(QIODevice::ReadOnly));
    QString text = QString::fromUtf8(ts.readAll());
    QSet<QString> sources;
    static const QRegularExpression src("<source>(.*?)</source>", QRegularExpression::DotMatchesEverythingOption);
    for (auto it = src.globalMatch(text); it.hasNext();) {
      QString v = it.next().captured(1);
      v.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&");
      sources.insert(v);
    }
    // tr("...") with adjacent literals joined, as the compiler joins them.
    static const QRegularExpression trCall("\\btr\\(((?:\\s*\"(?:[^\"\\\\]|\\\\.)*\")+)");
    static const QRegularExpression piece("\"((?:[^\"\\\\]|\\\\.)*)\"");
    for (const char* folder : {"ui", "widgets"}) {
      QDirIterator files(QStringLiteral(FTS_SOURCE_DIR "/") + folder, {"*.cpp"}, QDir::Files);
      while (files.hasNext()) {
        QFile f(files.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        for (auto it = trCall.globalMatch(QString::fromUtf8(f.readAll())); it.hasNext();) {
          QString literal;
          for (auto p = piece.globalMatch(it.next().captured(1)); p.hasNext();) literal += p.next().captured(1);
          literal.replace("\\\"", "\"").replace("\\n", "\n");
          QVERIFY2(sources.contains(literal), qPrintable(f.fileName() + ": no translation for \"" + literal + "\""));
        }
      }
    }
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
