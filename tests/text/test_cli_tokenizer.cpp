// `ftstudio tokenizer train --input FILE... --vocab-size N --out DIR`.
#include "core/text/SentencePieceTokenizer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

namespace {

struct Run {
  int exitCode = -1;
  QByteArray out, err;
};

Run ftstudio(const QStringList& args) {
  QProcess p;
  p.start(QString(FTS_BIN_DIR) + "/ftstudio", args);
  Run r;
  if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit) return r;
  r.exitCode = p.exitCode();
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

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
    const Run r = ftstudio({"tokenizer", "train", "--input", QString(FTS_FIXTURES) + "/topics_small.csv", text,
                            "--vocab-size", "400", "--out", out, "--json"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
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
    const Run r = ftstudio({"tokenizer", "train", "--input", bad, "--vocab-size", "100", "--out", dir.filePath("t")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.startsWith((bad + ": the file is UTF-16").toUtf8()));
    QCOMPARE(ftstudio({"tokenizer", "train", "--vocab-size", "100", "--out", dir.filePath("t")}).exitCode, 2);  // no --input
  }
};

QTEST_GUILESS_MAIN(TestCliTokenizer)
#include "test_cli_tokenizer.moc"
