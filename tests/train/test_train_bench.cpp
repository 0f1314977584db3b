// `ftstudio bench train` and the core it runs (core/bench/TrainBench): the model has ref_train.py's
// shape (same parameter count), the step trains (the loss goes down on the fixed batch), the figures
// are consistent with each other, bad flags get a message naming the flag, and the CLI prints one
// JSON object with tokens_per_s; the same for --arch bert (BertForSequenceClassification, the shape
// of bench/train/ref_bert_train.py, padded rows with --min-len). Tiny shapes: this checks behaviour, never speed.
#include "core/bench/TrainBench.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <stdexcept>

using fts::bench::TrainBenchOptions;

namespace {

TrainBenchOptions tiny(const std::string& task) {
  TrainBenchOptions o;
  o.dim = 32;
  o.layers = 2;
  o.heads = 2;
  o.vocab = 64;
  o.seq = 16;
  o.batch = 2;
  o.steps = 6;
  o.warmup = 1;
  o.threads = 1;
  o.classes = 3;
  o.task = task;
  return o;
}

// ref_train.py's parameter count: embedding, per layer 4 DxD + gate/up/down + 2 norms, final norm, head.
int64_t refParams(const TrainBenchOptions& o, int64_t heads) {
  const int64_t D = o.dim, F = 64 * ((8 * D / 3 + 63) / 64);
  return o.vocab * D + o.layers * (4 * D * D + 3 * D * F + 2 * D) + D + heads * D;
}

TrainBenchOptions tinyBert() {
  auto o = tiny("");
  o.arch = "bert";
  o.heads = 4;  // head size 8
  return o;
}

// ref_bert_train.py's parameter count: word, position (max(seq, 512)) and token-type tables, embedding
// LayerNorm; per layer q/k/v/o with biases, intermediate and output with biases, two LayerNorms;
// pooler and classifier.
int64_t refBertParams(const TrainBenchOptions& o) {
  const int64_t D = o.dim, F = 4 * D, P = std::max(o.seq, 512);
  return (o.vocab + P + 2) * D + 2 * D + o.layers * (4 * (D * D + D) + 2 * D * F + F + D + 4 * D) + D * D + D +
         D * o.classes + o.classes;
}
}  // namespace

class TestTrainBench : public QObject {
  Q_OBJECT

 private slots:
  void languageModelStepTrainsAndReportsConsistentFigures() {
    const auto o = tiny("lm");
    const auto r = fts::bench::runTrainBench(o);
    QCOMPARE(r.params, refParams(o, o.vocab));
    QCOMPARE(r.matmulParams, r.params - static_cast<int64_t>(o.vocab) * o.dim);  // all but the embedding table
    QCOMPARE(r.ffn, 128);
    QCOMPARE(static_cast<int>(r.stepTimesMs.size()), o.steps);
    QVERIFY(r.tokensPerS > 0 && r.stepMs > 0);
    QVERIFY(qAbs(r.tokensPerS - o.batch * o.seq / (r.stepMs / 1e3)) < 1e-6 * r.tokensPerS);
    const double tokens = o.batch * o.seq;
    QCOMPARE(r.flopsPerStep, 6.0 * r.matmulParams * tokens + 12.0 * o.layers * o.dim * o.seq * tokens);
    QVERIFY(r.matmulGflops > 0 && r.mfu > 0);
    QVERIFY(r.peakRssMb > 10);
    QVERIFY2(r.lastLoss < r.firstLoss, qPrintable(QString("loss %1 -> %2").arg(r.firstLoss).arg(r.lastLoss)));
    QVERIFY(qAbs(r.firstLoss - std::log(64.0)) < 0.5);  // random init: about ln(V)
  }

  void classifierHasRefShapeHead() {
    const auto o = tiny("cls");
    const auto r = fts::bench::runTrainBench(o);
    QCOMPARE(r.params, refParams(o, o.classes));
    QVERIFY(std::isfinite(r.lastLoss));
    QVERIFY2(r.lastLoss < r.firstLoss, qPrintable(QString("loss %1 -> %2").arg(r.firstLoss).arg(r.lastLoss)));
  }

  void bertClassifierTrainsAtRefShapeWithPadding() {
    auto o = tinyBert();
    o.minLen = 5;
    const auto r = fts::bench::runTrainBench(o);
    QCOMPARE(r.options.task, std::string("cls"));  // bert's default task
    QCOMPARE(r.ffn, 4 * o.dim);
    QCOMPARE(r.params, refBertParams(o));
    const int64_t P = std::max(o.seq, 512);
    QCOMPARE(r.matmulParams, r.params - (o.vocab + P + 2) * o.dim);  // all but the three embedding tables
    QVERIFY2(r.realTokens < o.batch * o.seq && r.realTokens >= o.seq + (o.batch - 1) * o.minLen,
             qPrintable(QString("real tokens %1").arg(r.realTokens)));
    QVERIFY(r.tokensPerS > 0 && r.mfu > 0);
    QVERIFY2(r.lastLoss < r.firstLoss, qPrintable(QString("loss %1 -> %2").arg(r.firstLoss).arg(r.lastLoss)));
    QVERIFY(qAbs(r.firstLoss - std::log(3.0)) < 0.5);  // random init: about ln(C)

    auto bad = tinyBert();
    bad.task = "lm";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fts::bench::validate(bad));
    bad = tinyBert();
    bad.minLen = o.seq + 1;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fts::bench::validate(bad));
  }

  void outputsCarryTheKeysRefTrainPrints() {
    auto o = tiny("lm");
    o.steps = 1;
    o.warmup = 0;
    const auto r = fts::bench::runTrainBench(o);
    const std::string text = fts::bench::formatText(r);
    QVERIFY(text.rfind("params=", 0) == 0);
    QVERIFY(text.find(" step_ms=") != std::string::npos && text.find(" tokens_per_s=") != std::string::npos);
    const auto j = nlohmann::json::parse(fts::bench::formatJson(r));
    for (const char* key : {"tokens_per_s", "step_ms", "params", "mfu", "peak_rss_mb", "matmul_gflops", "flops_per_step"})
      QVERIFY2(j.contains(key), key);
    QCOMPARE(j["params"].get<int64_t>(), r.params);
  }

  void badFlagsAreNamed() {
    auto expectMessage = [](TrainBenchOptions o, const char* flag) {
      try {
        fts::bench::validate(o);
      } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find(flag) != std::string::npos, e.what());
        return;
      }
      QFAIL(qPrintable(QString("no error for a bad %1").arg(flag)));
    };
    auto o = tiny("lm");
    o.dim = 30;  // 2 heads of 15: an odd head size cannot take RoPE
    expectMessage(o, "--heads");
    o = tiny("lm");
    o.heads = 3;
    expectMessage(o, "--dim");
    o = tiny("lm");
    o.steps = 0;
    expectMessage(o, "--steps");
    o = tiny("xx");
    expectMessage(o, "--task");
  }

  void cliPrintsOneJsonObject() {
    QProcess p;
    p.start(QStringLiteral(FTS_BIN_DIR "/ftstudio"),
            {"bench", "train", "--dim", "32", "--layers", "1", "--heads", "2", "--vocab", "64", "--seq", "8", "--batch", "2",
             "--steps", "2", "--warmup", "0", "--threads", "1", "--task", "cls", "--classes", "2", "--json"});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
    QVERIFY(j["tokens_per_s"].get<double>() > 0);
    QCOMPARE(j["shape"]["task"].get<std::string>(), std::string("cls"));

    QProcess bert;
    bert.start(QStringLiteral(FTS_BIN_DIR "/ftstudio"),
               {"bench", "train", "--arch", "bert", "--dim", "32", "--layers", "1", "--heads", "4", "--vocab", "64", "--seq", "8",
                "--batch", "2", "--min-len", "3", "--steps", "2", "--warmup", "0", "--threads", "1", "--json"});
    QVERIFY(bert.waitForFinished(120000));
    QVERIFY2(bert.exitCode() == 0, bert.readAllStandardError().constData());
    const auto jb = nlohmann::json::parse(bert.readAllStandardOutput().toStdString());
    QVERIFY(jb["tokens_per_s"].get<double>() > 0 && jb["mfu"].get<double>() > 0);
    QCOMPARE(jb["arch"].get<std::string>(), std::string("bert"));
    QCOMPARE(jb["shape"]["task"].get<std::string>(), std::string("cls"));
    QCOMPARE(jb["shape"]["ffn"].get<int>(), 128);     // 4 x dim, not MiniLM's 1536, when --dim is given
    QCOMPARE(jb["shape"]["classes"].get<int>(), 6);   // MiniLM's default shape fills what is not given
    QCOMPARE(jb["params"].get<int64_t>(), (64 + 512 + 2) * 32 + 64 + (4 * (32 * 32 + 32) + 2 * 32 * 128 + 128 + 32 + 128) +
                                              32 * 32 + 32 + 32 * 6 + 6);

    QProcess bad;
    bad.start(QStringLiteral(FTS_BIN_DIR "/ftstudio"), {"bench", "train", "--dim", "30", "--heads", "4", "--steps", "1"});
    QVERIFY(bad.waitForFinished(60000));
    QVERIFY(bad.exitCode() != 0);
    QVERIFY(bad.readAllStandardError().contains("--dim"));
  }
};

QTEST_GUILESS_MAIN(TestTrainBench)
#include "test_train_bench.moc"
