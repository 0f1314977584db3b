// `ftstudio pretrain --recipe`: a tiny recipe trains, publishes a verified model folder in the
// recipe's dtype, measures held-out perplexity and draws its curve; bad recipes get clear messages.
#include "tests/common/FtstudioProcess.h"
#include "tests/common/TestHome.h"
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using fts::test::ftstudio;
using fts::test::lastJsonObject;

void write(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(bytes);
}

const char* kRecipe = R"({
  "name": "tiny base",
  "prepare": "prepare.sh",
  "task": "lm",
  "data": {"train": "corpus/train.txt", "validation": "corpus/valid.txt", "max_len": 32, "pack": true},
  "model": {"vocab_size": 200, "hidden_size": 32, "layers": 1, "heads": 2, "tie_embeddings": true, "max_positions": 128},
  "train": {"steps": 8, "batch_size": 4, "lr": 0.003, "warmup_steps": 2, "eval_every": 4, "threads": 1},
  "output": {"model": "out/model", "dtype": "bf16", "report": "out/report.json", "curve": "out/curve.svg"}
})";

}  // namespace

class TestCliPretrain : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void initTestCase() {
    fts::test::freshTestHome();
    QDir(dir_.path()).mkpath("corpus");
    QByteArray train, valid;
    for (int i = 0; i < 150; ++i) train += "Entry " + QByteArray::number(i) + ": a word and its meaning, 词 " + QByteArray::number(i % 7) + ".\n";
    for (int i = 0; i < 20; ++i) valid += "Held-out entry " + QByteArray::number(i) + ": another word.\n";
    write(dir_.filePath("corpus/train.txt"), train);
    write(dir_.filePath("corpus/valid.txt"), valid);
    write(dir_.filePath("base.recipe.json"), kRecipe);
  }

  void pretrainsAndPublishes() {
    const auto r = ftstudio({"pretrain", "--recipe", dir_.filePath("base.recipe.json"), "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject report = QJsonDocument::fromJson(r.out.trimmed().split('\n').last()).object();
    QCOMPARE(report["name"].toString(), QString("tiny base"));
    QCOMPARE(report["steps"].toInt(), 8);
    QCOMPARE(report["tokens"].toInt(), 8 * 4 * 32);
    const QJsonObject heldOut = report["held_out"].toObject();
    QCOMPARE(heldOut["weights"].toString(), QString("bf16"));
    // Eight steps already beat guessing uniformly over the vocabulary.
    QFile config(dir_.filePath("out/model/config.json"));
    QVERIFY(config.open(QIODevice::ReadOnly));
    const int vocab = QJsonDocument::fromJson(config.readAll()).object()["vocab_size"].toInt();
    QVERIFY(vocab >= 100);
    QVERIFY(heldOut["perplexity"].toDouble() > 1.0);
    QVERIFY2(heldOut["perplexity"].toDouble() < vocab, qPrintable(QString::number(heldOut["perplexity"].toDouble())));
    QCOMPARE(report["model"].toObject()["dtype"].toString(), QString("bf16"));
    // The published folder: an HF model in bf16 with its tokenizer and model card.
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "README.md"})
      QVERIFY2(QFile::exists(dir_.filePath(QString("out/model/") + f)), f);
    QFile st(dir_.filePath("out/model/model.safetensors"));
    QVERIFY(st.open(QIODevice::ReadOnly));
    QVERIFY(st.read(4096).contains("\"BF16\""));
    QVERIFY(QFile::exists(dir_.filePath("out/report.json")));
    QFile curve(dir_.filePath("out/curve.svg"));
    QVERIFY(curve.open(QIODevice::ReadOnly));
    const QByteArray svg = curve.readAll();
    QVERIFY(svg.startsWith("<svg"));
    QVERIFY(svg.contains("held-out loss"));
    QCOMPARE(svg.count("<path"), 2);
  }

  void missingCorpusNamesThePrepareScript() {
    QTemporaryDir other;
    write(other.filePath("base.recipe.json"), kRecipe);
    const auto r = ftstudio({"pretrain", "--recipe", other.filePath("base.recipe.json")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("corpus/train.txt: the corpus is missing: make it first with"), r.err.constData());
    QVERIFY2(r.err.contains("prepare.sh"), r.err.constData());
  }

  void recipeMustTrainACausalLmFromScratch() {
    QTemporaryDir other;
    QByteArray cls(kRecipe);
    cls.replace("\"task\": \"lm\"", "\"task\": \"cls\"");
    write(other.filePath("cls.recipe.json"), cls);
    auto r = ftstudio({"pretrain", "--recipe", other.filePath("cls.recipe.json")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("a pretraining recipe trains a causal LM: set \"task\": \"lm\""), r.err.constData());
    QByteArray noOut(kRecipe);
    noOut.replace("\"output\"", "\"outputs\"");
    write(other.filePath("typo.recipe.json"), noOut);
    r = ftstudio({"pretrain", "--recipe", other.filePath("typo.recipe.json")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("'output.model' must name the folder"), r.err.constData());
  }
};

QTEST_GUILESS_MAIN(TestCliPretrain)
#include "test_cli_pretrain.moc"
