// Texts become training sequences: framing, each truncation, prompt/response pairs (the loss counts
// the response only), packing for pretraining, and the batch tensors built from them.
#include "core/data/Batcher.h"
#include "core/text/ChatFormat.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/text/Tokenizer.h"
#include "core/train/SampleEncoding.h"
#include "core/train/TensorBatch.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

namespace {

fts::data::Dataset textsOf(const std::vector<std::string>& texts) {
  fts::data::Dataset d;
  d.source = "mem";
  for (std::size_t i = 0; i < texts.size(); ++i) d.samples.push_back({texts[i], "", "", static_cast<std::int64_t>(i + 1), -1});
  return d;
}

std::vector<std::size_t> all(const fts::data::Dataset& d) {
  std::vector<std::size_t> r(d.samples.size());
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = i;
  return r;
}

}  // namespace

class TestSampleEncoding : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::unique_ptr<fts::SentencePieceTokenizer> tok_;

  std::vector<int> enc(const std::string& s) const { return tok_->encode(s); }

 private slots:
  void initTestCase() {
    std::vector<std::string> lines;
    for (int i = 0; i < 200; ++i)
      lines.push_back("the quick brown fox " + std::to_string(i) + " jumps over the lazy dog while 春眠不觉晓 处处闻啼鸟");
    fts::TokenizerTrainOptions o;
    o.vocabSize = 120;
    o.threads = 1;
    tok_ = std::make_unique<fts::SentencePieceTokenizer>(fts::SentencePieceTokenizer::train(lines, o, dir_.filePath("t.model").toStdString()));
  }

  void framesWithBosAndEos() {
    const auto ds = textsOf({"the quick brown fox"});
    fts::EncodingOptions o;
    o.maxLen = 64;
    const auto set = fts::encodeSamples(ds, all(ds), *tok_, {}, o);
    QCOMPARE(set.size(), std::size_t(1));
    const auto body = enc("the quick brown fox");
    QCOMPARE(set.ids[0].size(), body.size() + 2);
    QCOMPARE(set.ids[0].front(), 1);
    QCOMPARE(set.ids[0].back(), 2);
    QCOMPARE(set.predictFrom[0], 1);
    QCOMPARE(set.truncated, std::int64_t(0));
    QCOMPARE(set.tokens, std::int64_t(body.size() + 2));
  }

  void eachTruncationKeepsItsPart() {
    const std::string text = "the quick brown fox 1 jumps over the lazy dog while 春眠不觉晓 处处闻啼鸟";
    const auto body = enc(text);
    QVERIFY(body.size() > 10);
    const auto ds = textsOf({text});
    fts::EncodingOptions o;
    o.maxLen = 8;  // 6 body tokens
    o.truncation = fts::data::Truncation::KeepHead;
    auto head = fts::encodeSamples(ds, all(ds), *tok_, {}, o);
    QCOMPARE(head.ids[0], (std::vector<int>{1, body[0], body[1], body[2], body[3], body[4], body[5], 2}));
    QCOMPARE(head.truncated, std::int64_t(1));
    o.truncation = fts::data::Truncation::KeepTail;
    const auto n = body.size();
    auto tail = fts::encodeSamples(ds, all(ds), *tok_, {}, o);
    QCOMPARE(tail.ids[0], (std::vector<int>{1, body[n - 6], body[n - 5], body[n - 4], body[n - 3], body[n - 2], body[n - 1], 2}));
    o.truncation = fts::data::Truncation::KeepHeadAndTail;  // a quarter of 6 rounds to 2 from the head
    auto both = fts::encodeSamples(ds, all(ds), *tok_, {}, o);
    QCOMPARE(both.ids[0], (std::vector<int>{1, body[0], body[1], body[n - 4], body[n - 3], body[n - 2], body[n - 1], 2}));
  }

  void pairsPredictOnlyTheResponse() {
    fts::data::Dataset ds;
    ds.samples.push_back({"the lazy dog", "", "jumps over", 1, -1});
    fts::EncodingOptions o;
    o.maxLen = 64;
    const auto set = fts::encodeSamples(ds, {0}, *tok_, {}, o);
    const auto p = enc("the lazy dog"), r = enc("jumps over");
    std::vector<int> expected{1};
    expected.insert(expected.end(), p.begin(), p.end());
    expected.insert(expected.end(), r.begin(), r.end());
    expected.push_back(2);
    QCOMPARE(set.ids[0], expected);
    QCOMPARE(set.predictFrom[0], static_cast<std::int32_t>(1 + p.size()));
    // The LM targets: -100 until the last prompt token, which predicts the response's first token.
    const auto padded = fts::data::Batcher::pad(set.ids, {0}, 3, 1, 0);
    const auto b = fts::toTensorBatch(padded, set, /*classification=*/false);
    const auto t = b.targets[0];
    for (std::size_t j = 0; j < p.size(); ++j) QCOMPARE(t[static_cast<int64_t>(j)].item<int64_t>(), int64_t(-100));
    QCOMPARE(t[static_cast<int64_t>(p.size())].item<int64_t>(), int64_t(r[0]));
    QCOMPARE(t[static_cast<int64_t>(expected.size()) - 2].item<int64_t>(), int64_t(2));  // the response ends with EOS
    QCOMPARE(t[static_cast<int64_t>(expected.size()) - 1].item<int64_t>(), int64_t(-100));
    QCOMPARE(b.predicted, static_cast<std::int64_t>(r.size() + 1));
  }

  void pairsInAChatFormatAreTurns() {
    // The SmolLM2-style fixture: byte-level BPE, <|im_start|> / <|im_end|> added tokens, ChatML template.
    const auto tok = fts::loadTokenizer(FTS_FIXTURES "/tokenizers/smollm2-bpe");
    const auto format = fts::detectChatFormat(tok->chatTemplate());
    QCOMPARE(format, fts::ChatFormat::ChatMl);
    QVERIFY(!fts::chatTemplateUnknown(tok->chatTemplate()));
    QVERIFY(fts::chatTemplateUnknown("{{ messages }}"));
    QCOMPARE(fts::detectChatFormat("{{ '<|start_header_id|>' + role }}"), fts::ChatFormat::Llama3);
    const int imStart = tok->pieceId("<|im_start|>"), imEnd = fts::chatEndOfTurnId(format, *tok);
    QVERIFY(imStart >= 0 && imEnd >= 0);

    fts::data::Dataset ds;
    ds.samples.push_back({"What is 2 + 2?", "", "Four.", 1, -1});
    fts::EncodingOptions o;
    o.maxLen = 64;
    o.bos = 999;  // must not appear: ChatML has no BOS
    o.eos = imEnd;
    o.chat = format;
    const auto set = fts::encodeSamples(ds, {0}, *tok, {}, o);
    const auto prompt = tok->encode("<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n");
    const auto reply = tok->encode("Four.");
    std::vector<int> expected(prompt.begin(), prompt.end());
    expected.insert(expected.end(), reply.begin(), reply.end());
    expected.push_back(imEnd);
    QCOMPARE(set.ids[0], expected);
    QCOMPARE(set.ids[0].front(), imStart);                               // the markers are single tokens
    QCOMPARE(set.predictFrom[0], static_cast<std::int32_t>(prompt.size()));  // only the reply (and its end) is learned
  }

  void longPairsKeepHalfTheRoomForTheResponse() {
    fts::data::Dataset ds;
    std::string longText;
    for (int i = 0; i < 20; ++i) longText += "the quick brown fox " + std::to_string(i) + " ";
    ds.samples.push_back({longText, "", longText, 1, -1});
    fts::EncodingOptions o;
    o.maxLen = 22;  // room 20: 10 of prompt, 10 of response
    const auto set = fts::encodeSamples(ds, {0}, *tok_, {}, o);
    QCOMPARE(set.ids[0].size(), std::size_t(22));
    QCOMPARE(set.predictFrom[0], 11);
    QCOMPARE(set.truncated, std::int64_t(1));
  }

  void packingCutsOneStreamIntoBlocks() {
    const auto ds = textsOf({"the quick brown fox", "jumps over", "the lazy dog"});
    fts::EncodingOptions o;
    o.maxLen = 5;
    const auto set = fts::packSamples(ds, all(ds), *tok_, o);
    std::vector<int> stream;
    for (const auto& s : ds.samples) {
      stream.push_back(1);
      for (int id : enc(s.text)) stream.push_back(id);
      stream.push_back(2);
    }
    std::vector<int> joined;
    for (std::size_t i = 0; i < set.size(); ++i) {
      QVERIFY(set.ids[i].size() <= 5);
      if (i + 1 < set.size()) QCOMPARE(set.ids[i].size(), std::size_t(5));
      QCOMPARE(set.predictFrom[i], 1);
      joined.insert(joined.end(), set.ids[i].begin(), set.ids[i].end());
    }
    // Nothing lost but a last block of one token (nothing to predict in it).
    QVERIFY(joined.size() == stream.size() || joined.size() + 1 == stream.size());
    QVERIFY(std::equal(joined.begin(), joined.end(), stream.begin()));
    QCOMPARE(set.source.front(), std::size_t(0));
  }

  void classificationLabelsAndTargets() {
    fts::data::Dataset ds;
    ds.samples.push_back({"the quick brown fox", "b", "", 1, -1});
    ds.samples.push_back({"the lazy dog", "a", "", 2, -1});
    fts::EncodingOptions o;
    const auto set = fts::encodeSamples(ds, {0, 1}, *tok_, {{"a", 0}, {"b", 1}}, o);
    QCOMPARE(set.labels, (std::vector<std::int64_t>{1, 0}));
    const auto padded = fts::data::Batcher::pad(set.ids, {1, 0}, 3, 1, 0);
    const auto b = fts::toTensorBatch(padded, set, /*classification=*/true);
    QCOMPARE(b.targets[0].item<int64_t>(), int64_t(0));
    QCOMPARE(b.targets[1].item<int64_t>(), int64_t(1));
    QCOMPARE(b.lengths[0].item<int64_t>(), static_cast<int64_t>(set.ids[1].size()));
    QCOMPARE(b.ids.size(1), static_cast<int64_t>(std::max(set.ids[0].size(), set.ids[1].size())));
  }

  void refusesATooSmallMaxLength() {
    const auto ds = textsOf({"x"});
    fts::EncodingOptions o;
    o.maxLen = 2;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fts::encodeSamples(ds, all(ds), *tok_, {}, o));
  }
};

QTEST_APPLESS_MAIN(TestSampleEncoding)
#include "test_sample_encoding.moc"
