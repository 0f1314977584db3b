// Causal-LM runs: prompt/response pairs (loss on responses), packed text as pretraining does, and
// the settings that shape sequences (truncation, packing) refused with a message when wrong.
#include "core/eval/RunModel.h"
#include "core/train/Trainer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

namespace {

fts::TrainConfig tinyLm(const std::string& data) {
  fts::TrainConfig c;
  c.task = "lm";
  c.data.train = data;
  c.data.max_len = 48;
  c.model.vocab_size = 300;
  c.model.hidden_size = 32;
  c.model.layers = 1;
  c.model.heads = 2;
  c.train.batch_size = 8;
  c.train.steps = 12;
  c.train.lr = 3e-3;
  c.train.warmup_steps = 2;
  c.train.eval_every = 6;
  c.train.threads = 1;
  return c;
}

struct Outcome {
  fts::TrainSummary summary;
  std::vector<std::string> logs;
  std::vector<double> valPerplexity;
};

Outcome run(const fts::TrainConfig& c, const QString& dir) {
  fts::TrainerControl control;
  fts::EventQueue events;
  Outcome o;
  o.summary = fts::runTrainingJob(c, {"lm", dir.toStdString(), {}}, control, events);
  for (const auto& ev : events.drain()) {
    if (const auto* l = std::get_if<fts::LogEvent>(&ev)) o.logs.push_back(l->message);
    if (const auto* m = std::get_if<fts::MetricEvent>(&ev))
      if (m->name == "val/perplexity") o.valPerplexity.push_back(m->value);
  }
  return o;
}

bool logged(const Outcome& o, const std::string& part) {
  for (const auto& l : o.logs)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

void writeFile(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(bytes);
}

}  // namespace

class TestLmTraining : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void promptResponsePairsTrain() {
    QByteArray jsonl;
    const char* animals[] = {"cat", "dog", "bird", "fish", "horse", "cow", "sheep", "goat"};
    for (int i = 0; i < 64; ++i)
      jsonl += QByteArray("{\"prompt\": \"What does the ") + animals[i % 8] + " number " + QByteArray::number(i) +
               " say?\", \"response\": \"The " + animals[i % 8] + " says hello " + QByteArray::number(i % 5) + " times.\"}\n";
    const QString file = dir_.filePath("pairs.jsonl");
    writeFile(file, jsonl);
    QTemporaryDir runDir;
    const auto o = run(tinyLm(file.toStdString()), runDir.path());
    QVERIFY2(o.summary.state == fts::TrainerState::Finished, o.summary.reason.c_str());
    QCOMPARE(o.summary.task, std::string("lm"));
    QVERIFY(!o.valPerplexity.empty());
    QVERIFY(std::isfinite(o.valPerplexity.back()));
    QVERIFY(o.summary.metrics.count("perplexity"));

    // Generation from the trained run: top-k 1 sampling is greedy decoding; a seed repeats a sample.
    const auto model = fts::RunModel::load(runDir.path().toStdString());
    QVERIFY(!model.isClassifier());
    fts::GenerationOptions greedy;
    greedy.maxNewTokens = 12;
    fts::GenerationOptions topOne = greedy;
    topOne.temperature = 1.0;
    topOne.topK = 1;
    QCOMPARE(model.predict("What does the cat number 3 say?", topOne).continuation,
             model.predict("What does the cat number 3 say?", greedy).continuation);
    fts::GenerationOptions sampled = greedy;
    sampled.temperature = 1.0;
    sampled.topK = 20;
    sampled.repetitionPenalty = 1.3;
    sampled.seed = 7;
    QCOMPARE(model.predict("What does the dog say?", sampled).continuation, model.predict("What does the dog say?", sampled).continuation);
    // Held-out perplexity of the texts joined into blocks, as pretraining measures it.
    const auto packed = model.evaluate(file.toStdString(), {}, 32, /*pack=*/true);
    QVERIFY(packed.metrics.at("perplexity") > 1.0 && std::isfinite(packed.metrics.at("perplexity")));
  }

  // The shipped base model loads as a model folder and continues a text: the continuation keeps
  // the space its first word starts with ("unto" + " the", not "untothe").
  void baseModelContinuationKeepsItsLeadingSpace() {
    const auto model = fts::RunModel::load(FTS_SOURCE_DIR "/projects/base-model/model");
    QVERIFY(!model.isClassifier());
    fts::GenerationOptions greedy;
    greedy.maxNewTokens = 6;
    const std::string continuation = model.predict("And the king said unto", greedy).continuation;
    QVERIFY2(continuation.size() > 1 && continuation[0] == ' ' && continuation[1] != ' ', continuation.c_str());
  }

  void packedTextTrainsInFullBlocks() {
    QByteArray text;
    for (int i = 0; i < 120; ++i) text += "Line " + QByteArray::number(i) + " of a corpus that a base model would read, again and again.\n";
    const QString file = dir_.filePath("corpus.txt");
    writeFile(file, text);
    auto c = tinyLm(file.toStdString());
    c.data.pack = true;
    c.data.max_len = 32;
    QTemporaryDir runDir;
    const auto o = run(c, runDir.path());
    QVERIFY2(o.summary.state == fts::TrainerState::Finished, o.summary.reason.c_str());
    QVERIFY(logged(o, "blocks of 32 tokens"));
    // Every step of 8 full blocks of 32: the tokens seen are exactly steps x 8 x 32 (the blocks
    // outnumber what 12 steps use, so none is the short last one).
    QCOMPARE(o.summary.tokens, std::int64_t(12 * 8 * 32));
  }

  void packingAClassifierIsRefused() {
    auto c = tinyLm(FTS_FIXTURES "/topics_small.csv");
    c.task = "cls";
    c.data.pack = true;
    QTemporaryDir runDir;
    const auto o = run(c, runDir.path());
    QCOMPARE(o.summary.state, fts::TrainerState::Failed);
    QVERIFY2(o.summary.reason.find("set data.pack=false") != std::string::npos, o.summary.reason.c_str());
  }

  void unknownTruncationIsRefused() {
    auto c = tinyLm(FTS_FIXTURES "/topics_small.csv");
    c.data.truncation = "middle";
    QTemporaryDir runDir;
    const auto o = run(c, runDir.path());
    QCOMPARE(o.summary.state, fts::TrainerState::Failed);
    QCOMPARE(o.summary.reason, std::string("data.truncation must be head, tail or head+tail, not 'middle'"));
  }

  void longTextsAreCutAndSaidSo() {
    auto c = tinyLm(FTS_FIXTURES "/topics_small.csv");
    c.task = "cls";
    c.data.max_len = 8;
    c.data.truncation = "head+tail";
    c.train.steps = 2;
    QTemporaryDir runDir;
    const auto o = run(c, runDir.path());
    QVERIFY2(o.summary.state == fts::TrainerState::Finished, o.summary.reason.c_str());
    QVERIFY(logged(o, "longer than data.max_len 8 tokens and were cut (data.truncation: head+tail)"));
  }
};

QTEST_APPLESS_MAIN(TestLmTraining)
#include "test_lm_training.moc"
