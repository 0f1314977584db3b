// `ftstudio tokenizer train --input FILE... --vocab-size N --out DIR`.
#include "tests/common/FtstudioProcess.h"
#include "core/text/SentencePieceTokenizer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

namespace {

using fts::test::ftstudio;
using fts::test::lastJsonObject;

}  // namespace

class TestCliTokenizer : public QObject {
  Q_OBJECT
 private slots:
  void trainsFromDataAndTextFiles() {
    QTemporaryDir dir;
    const QString text = dir.filePath("extra.txt");
    {
      std::ofstream f(text.toStdString());
      for (int i = 0; i < 200; ++i) f << "plain text line number " << i << " about tokenizers\n";
    }
    const QString out = dir.filePath("tok");
    const auto r = ftstudio({"tokenizer", "train", "--input", QString(FTS_FIXTURES) + "/topics_small.csv", text,
                            "--vocab-size", "400", "--out", out, "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["texts"].toInt(), 320);  // 120 rows of text (labels are not text) + 200 lines
    QVERIFY(j["vocab_size"].toInt() >= 400);
    auto tok = fts::SentencePieceTokenizer::fromModelFolder(out.toStdString());
    QCOMPARE(tok.vocabSize(), j["vocab_size"].toInt());
    QCOMPARE(tok.decode(tok.encode("plain text about food")), std::string("plain text about food"));
  }

  void unusableInputExitsTwo() {
    QTemporaryDir dir;
    const QString bad = QString(FTS_FIXTURES) + "/data/bad/utf16le.csv";
    const auto r = ftstudio({"tokenizer", "train", "--input", bad, "--vocab-size", "100", "--out", dir.filePath("t")});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.startsWith((bad + ": the file is UTF-16").toUtf8()));
    QCOMPARE(ftstudio({"tokenizer", "train", "--vocab-size", "100", "--out", dir.filePath("t")}).code, 2);  // no --input
  }
};

QTEST_GUILESS_MAIN(TestCliTokenizer)
#include "test_cli_tokenizer.moc"
