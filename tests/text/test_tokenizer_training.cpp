// Training a tokenizer from texts into a model folder, loading it back from the folder, and
// encoding many texts on several threads with the same result as one by one.
#include "core/text/SentencePieceTokenizer.h"
#include "core/text/TokenizerTraining.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace fts;

namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> texts;
  const char* words[] = {"data", "model", "token", "train", "loss", "batch", "split", "label", "text", "value"};
  for (int i = 0; i < 400; ++i) {
    std::string t;
    for (int k = 0; k < 12; ++k) t += std::string(words[(i * 7 + k * 3) % 10]) + (k % 5 == 4 ? ".\n" : " ");
    texts.push_back(t + "数据" + std::to_string(i));
  }
  return texts;
}

}  // namespace

class TestTokenizerTraining : public QObject {
  Q_OBJECT
 private slots:
  void sentencesAreLinesCutAtSpacesOrCharacters() {
    const auto s = tokenizerSentences({"one two\n\n  \nthree\r\nfour", "中文中文中文"}, 100);
    QCOMPARE(s, (std::vector<std::string>{"one two", "three", "four", "中文中文中文"}));
    // Long lines: cut after a space when one is in the second half, else at a character boundary.
    const auto cut = tokenizerSentences({"aaaa bbbb cccc", "中文中文"}, 10);
    QCOMPARE(cut, (std::vector<std::string>{"aaaa bbbb ", "cccc", "中文中", "文"}));
    for (const auto& piece : tokenizerSentences({std::string(100, 'x') + "中文中文中文中文"}, 8)) QVERIFY(piece.size() <= 8);
  }

  void trainsIntoAFolderAndLoadsFromIt() {
    QTemporaryDir dir;
    const std::filesystem::path out = dir.filePath("tok/deeper").toStdString();
    TokenizerTrainOptions o;
    o.vocabSize = 300;
    o.userSymbols = {"<sep>"};
    const auto report = trainTokenizerIntoFolder(corpus(), o, out);
    QCOMPARE(report.modelFile, out / "tokenizer.model");
    QVERIFY(std::filesystem::exists(report.modelFile));
    QVERIFY(report.sentences > 400);  // texts are split into lines
    auto tok = SentencePieceTokenizer::fromModelFolder(out);
    QCOMPARE(tok.vocabSize(), report.vocabSize);
    // A user symbol stays one piece.
    const int sep = tok.pieceId("<sep>");
    QVERIFY(sep > 3);
    const auto ids = tok.encode("data<sep>model");
    QVERIFY(std::find(ids.begin(), ids.end(), sep) != ids.end());
    QCOMPARE(tok.decode(ids), std::string("data<sep>model"));
    // A file or a folder, either way.
    QCOMPARE(SentencePieceTokenizer::loadFileOrFolder(report.modelFile).vocabSize(), tok.vocabSize());
    QCOMPARE(SentencePieceTokenizer::loadFileOrFolder(out).vocabSize(), tok.vocabSize());
  }

  void bpeToo() {
    QTemporaryDir dir;
    TokenizerTrainOptions o;
    o.vocabSize = 300;
    o.modelType = "bpe";
    const auto report = trainTokenizerIntoFolder(corpus(), o, dir.path().toStdString());
    auto tok = SentencePieceTokenizer::load(report.modelFile);
    QCOMPARE(tok.decode(tok.encode("batch split label")), std::string("batch split label"));
  }

  void folderWithoutModelSaysWhatItHolds() {
    QTemporaryDir dir;
    std::ofstream(dir.filePath("tokenizer.json").toStdString()) << "{}";
    try {
      SentencePieceTokenizer::fromModelFolder(dir.path().toStdString());
      QFAIL("must throw");
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("no tokenizer.model in this folder (it has tokenizer.json, a Hugging Face fast tokenizer") !=
                   std::string::npos,
               msg.c_str());
      QVERIFY(msg.find("it holds: tokenizer.json") != std::string::npos);
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, trainTokenizerIntoFolder({"", "  \n"}, {}, dir.path().toStdString()));
  }

  void encodeManyMatchesEncode() {
    QTemporaryDir dir;
    TokenizerTrainOptions o;
    o.vocabSize = 300;
    const auto report = trainTokenizerIntoFolder(corpus(), o, dir.path().toStdString());
    auto tok = SentencePieceTokenizer::load(report.modelFile);
    const auto texts = corpus();
    std::vector<std::string_view> views(texts.begin(), texts.end());
    views.push_back("");
    const auto many = tok.encodeMany(views, 2);
    QCOMPARE(many.size(), views.size());
    for (std::size_t i = 0; i < views.size(); ++i) QCOMPARE(many[i], tok.encode(views[i]));
    QCOMPARE(tok.encodeMany(views, 1), many);
  }
};

QTEST_GUILESS_MAIN(TestTokenizerTraining)
#include "test_tokenizer_training.moc"
