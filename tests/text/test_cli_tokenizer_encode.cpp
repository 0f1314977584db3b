// `ftstudio tokenizer encode MODEL_DIR --text "..." | --file FILE [--json] [--special]` for the three
// tokenizer kinds: SentencePiece (the shipped base model), WordPiece and byte-level BPE (fixtures with
// the ids Hugging Face tokenizers gave, tests/fixtures/tokenizers/expected.json).
#include "tests/common/FtstudioProcess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using fts::test::ftstudio;

const QString kFixtures = QStringLiteral(FTS_FIXTURES "/tokenizers");

QJsonObject expected() {
  QFile f(kFixtures + "/expected.json");
  f.open(QIODevice::ReadOnly);
  return QJsonDocument::fromJson(f.readAll()).object();
}

QList<QJsonObject> jsonLines(const QByteArray& out) {
  QList<QJsonObject> rows;
  for (const QByteArray& line : out.split('\n'))
    if (!line.isEmpty()) rows.push_back(QJsonDocument::fromJson(line).object());
  return rows;
}

}  // namespace

class TestCliTokenizerEncode : public QObject {
  Q_OBJECT
 private slots:
  void fileGivesOneObjectPerLine_data() {
    QTest::addColumn<QString>("name");
    for (const char* n : {"wordpiece", "wordpiece-cased", "qwen2-bpe", "llama3-bpe", "smollm2-bpe", "gpt2-bpe"}) QTest::newRow(n) << n;
  }
  void fileGivesOneObjectPerLine() {
    QFETCH(QString, name);
    const auto r = ftstudio({"tokenizer", "encode", kFixtures + "/" + name, "--file", kFixtures + "/heldout.txt", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QList<QJsonObject> rows = jsonLines(r.out);
    const QJsonObject e = expected();
    const QJsonArray texts = e["texts"].toArray();
    QCOMPARE(rows.size(), texts.size());
    const QJsonObject want = e["tokenizers"].toObject()[name].toObject();
    int compared = 0;
    for (int i = 0; i < texts.size(); ++i) {
      QCOMPARE(rows[i]["ids"].toArray().size(), rows[i]["tokens"].toArray().size());
      if (texts[i].toString().contains('\n')) continue;  // heldout.txt writes those with "\n" escaped
      QCOMPARE(rows[i]["ids"].toArray(), want["ids"].toArray()[i].toArray());
      if (want.contains("tokens")) QCOMPARE(rows[i]["tokens"].toArray(), want["tokens"].toArray()[i].toArray());
      ++compared;
    }
    QVERIFY(compared > 15);
  }

  void textWithSpecialTokens() {
    const QJsonObject e = expected();
    const QString text = e["texts"].toArray()[0].toString();
    const auto r = ftstudio({"tokenizer", "encode", kFixtures + "/wordpiece/tokenizer.json", "--text", text, "--special", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto rows = jsonLines(r.out);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0]["ids"].toArray(), e["tokenizers"].toObject()["wordpiece"].toObject()["with_special"].toArray()[0].toArray());
    QCOMPARE(rows[0]["tokens"].toArray().first().toString(), QString("[CLS]"));
    // Plain output: the ids and the quoted pieces.
    const auto plain = ftstudio({"tokenizer", "encode", kFixtures + "/smollm2-bpe", "--text", "hello world"});
    QVERIFY2(plain.code == 0, plain.err.constData());
    QVERIFY(plain.out.startsWith("ids: "));
    QVERIFY2(plain.out.contains("\npieces: \"") && plain.out.contains("\"Ġ"), plain.out.constData());  // " world" starts with Ġ
  }

  void sentencePieceModelToo() {
    const QString base = QStringLiteral(FTS_SOURCE_DIR "/projects/base-model/model");
    if (!QFile::exists(base + "/tokenizer.model")) QSKIP("the shipped base model's tokenizer.model is not in this checkout");
    const auto r = ftstudio({"tokenizer", "encode", base, "--text", "The fox jumps.", "--special", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto rows = jsonLines(r.out);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0]["ids"].toArray().first().toInt(), 1);  // BOS of the tokenizers we train
    QVERIFY(rows[0]["ids"].toArray().size() > 2);
  }

  void badInputExitsTwo() {
    QTemporaryDir dir;
    const QString bad = dir.filePath("tokenizer.json");
    {
      QFile f(bad);
      f.open(QIODevice::WriteOnly);
      f.write("{\"model\": {\"type\": \"WordPiece\", \"vocab\": [1, 2");
    }
    auto r = ftstudio({"tokenizer", "encode", bad, "--text", "x"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(bad.toUtf8() + ": not valid JSON at byte "), r.err.constData());
    r = ftstudio({"tokenizer", "encode", dir.path(), "--text", "x"});  // the folder holding it: the same message
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(bad.toUtf8() + ": not valid JSON at byte "), r.err.constData());
    const QString empty = dir.filePath("empty");
    QDir().mkpath(empty);
    r = ftstudio({"tokenizer", "encode", empty, "--text", "x"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(empty.toUtf8()) && r.err.contains("tokenizer.json"), r.err.constData());
    r = ftstudio({"tokenizer", "encode", kFixtures + "/wordpiece", "--file", dir.filePath("missing.txt")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(dir.filePath("missing.txt").toUtf8()), r.err.constData());
    r = ftstudio({"tokenizer", "encode", kFixtures + "/wordpiece"});  // neither --text nor --file
    QCOMPARE(r.code, 2);
  }
};

QTEST_GUILESS_MAIN(TestCliTokenizerEncode)
#include "test_cli_tokenizer_encode.moc"
