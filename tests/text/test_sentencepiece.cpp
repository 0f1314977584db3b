// The SentencePiece shim trains and encodes in a process that also runs LibTorch (PLATFORM trap 1:
// linked together they crash before main; loaded through the shim they must not).
#include "core/text/SentencePieceLibrary.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/util/Runtime.h"

#include <ATen/ATen.h>

#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

class TestSentencePiece : public QObject {
  Q_OBJECT
 private slots:
  void trainsAndEncodesBesideLibTorch() {
    // LibTorch first: a real matrix product, so its libraries (and protobuf) are live.
    auto a = at::ones({8, 8});
    QCOMPARE(at::mm(a, a).sum().item<double>(), 8.0 * 8 * 8);

    QTemporaryDir dir;
    std::vector<std::string> sentences;
    for (int i = 0; i < 200; ++i) {
      sentences.push_back("the quick brown fox jumps over the lazy dog number " + std::to_string(i));
      sentences.push_back("床前明月光，疑是地上霜。举头望明月，低头思故乡。" + std::to_string(i));
    }
    fts::TokenizerTrainOptions opt;
    opt.vocabSize = 600;
    const std::filesystem::path model = dir.filePath("tokenizer.model").toStdString();
    auto tok = fts::SentencePieceTokenizer::train(sentences, opt, model);
    QVERIFY(std::filesystem::exists(model));
    QVERIFY(!fts::sentencePieceShimPath().empty());
    QVERIFY(tok.vocabSize() > 50);
    QCOMPARE(tok.unkId(), 0);
    QCOMPARE(tok.bosId(), 1);
    QCOMPARE(tok.eosId(), 2);
    QCOMPARE(tok.padId(), 3);

    for (const std::string text : {"the lazy fox", "举头望明月", "unseen ☃ snowman"}) {
      const auto ids = tok.encode(text);
      QVERIFY(!ids.empty());
      QCOMPARE(tok.decode(ids), text);  // byte fallback: even unseen characters round-trip
    }

    // The file on disk loads back to the same tokenizer.
    auto loaded = fts::SentencePieceTokenizer::load(model);
    QCOMPARE(loaded.encode("the quick brown fox"), tok.encode("the quick brown fox"));

    // And LibTorch still works afterwards.
    QCOMPARE(at::mm(a, a).sum().item<double>(), 512.0);
  }

  void vocabularyGrowsToFitRequiredCharacters() {
    // 316 distinct characters + 256 byte pieces cannot fit in 120 pieces: the size grows instead of failing.
    QTemporaryDir dir;
    std::vector<std::string> sentences;
    for (int i = 0; i < 50; ++i) sentences.push_back("春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。" + std::to_string(i));
    fts::TokenizerTrainOptions opt;
    opt.vocabSize = 120;
    auto tok = fts::SentencePieceTokenizer::train(sentences, opt, dir.filePath("t.model").toStdString());
    QVERIFY(tok.vocabSize() > 120);
    QCOMPARE(tok.decode(tok.encode("花落知多少")), std::string("花落知多少"));
  }

  void badModelFileGivesAClearError() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("broken.model").toStdString();
    { std::ofstream(path) << "this is not a model"; }
    try {
      fts::SentencePieceTokenizer::load(path);
      QFAIL("loading garbage must throw");
    } catch (const std::exception& e) {
      QVERIFY2(std::string(e.what()).find("broken.model") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestSentencePiece)
#include "test_sentencepiece.moc"
