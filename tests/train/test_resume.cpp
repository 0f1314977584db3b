// Checkpoints, exact resume, early stopping, freezing and starting from a base model.
#include "core/io/HfModelFolder.h"
#include "core/model/LlamaModules.h"
#include "core/runs/RunStore.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/train/Checkpoint.h"
#include "core/train/Trainer.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

namespace fs = std::filesystem;

namespace {

fts::TrainConfig tinyConfig() {
  fts::TrainConfig c;
  c.data.train = FTS_FIXTURES "/topics_small.csv";
  c.model.vocab_size = 600;
  c.model.hidden_size = 32;
  c.model.layers = 2;
  c.model.heads = 4;
  c.model.dropout = 0.1;  // dropout draws from the RNG: resume must restore it too
  c.train.batch_size = 8;
  c.train.lr = 3e-3;
  c.train.warmup_steps = 3;
  c.train.eval_every = 0;
  c.train.threads = 1;
  c.train.deterministic = true;
  return c;
}

std::map<std::int64_t, double> trainLosses(const std::vector<fts::TrainerEvent>& events) {
  std::map<std::int64_t, double> out;
  for (const auto& ev : events)
    if (const auto* m = std::get_if<fts::MetricEvent>(&ev))
      if (m->name == "train/loss") out[m->step] = m->value;
  return out;
}

}  // namespace

class TestResume : public QObject {
  Q_OBJECT
 private slots:
  void resumedRunRepeatsTheSameLosses() {
    const int total = 36;  // crosses epoch boundaries (14 batches of 8 per epoch)
    fts::TrainConfig c = tinyConfig();
    c.train.steps = total;

    QTemporaryDir full;
    fts::TrainerControl control;
    fts::EventQueue fullEvents;
    auto s = fts::runTrainingJob(c, {"full", full.path().toStdString(), {}}, control, fullEvents);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    const auto reference = trainLosses(fullEvents.drain());
    QCOMPARE(reference.size(), size_t(total));

    // The same run, stopped part-way by the user, then resumed from its stop checkpoint.
    QTemporaryDir part;
    fts::Trainer first(c, {"part", part.path().toStdString(), {}});
    first.start();
    std::int64_t seen = 0;
    while (seen < 17 && first.isRunning()) {
      for (const auto& ev : first.events().waitAndDrain(50))
        if (const auto* p = std::get_if<fts::ProgressEvent>(&ev)) seen = p->step;
    }
    first.requestStop();
    first.join();
    const auto stopped = first.summary();
    QCOMPARE(stopped.state, fts::TrainerState::Stopped);
    QVERIFY(stopped.steps >= 17 && stopped.steps < total);
    QVERIFY(fts::latestCheckpoint(part.path().toStdString()).has_value());

    fts::TrainerControl control2;
    fts::EventQueue resumedEvents;
    auto r = fts::runTrainingJob(c, {"part", part.path().toStdString(), {}, /*resume=*/true}, control2, resumedEvents);
    QVERIFY2(r.state == fts::TrainerState::Finished, r.reason.c_str());
    QCOMPARE(r.steps, std::int64_t(total));
    const auto resumed = trainLosses(resumedEvents.drain());
    QCOMPARE(resumed.size(), size_t(total - stopped.steps));
    for (const auto& [step, loss] : resumed) {
      QVERIFY2(std::abs(loss - reference.at(step)) < 1e-5,
               qPrintable(QString("step %1: resumed %2, uninterrupted %3").arg(step).arg(loss, 0, 'g', 9).arg(reference.at(step), 0, 'g', 9)));
    }
  }

  void checkpointsAreKeptAndPruned() {
    fts::TrainConfig c = tinyConfig();
    c.train.steps = 20;
    c.train.checkpoint_every = 4;
    c.train.keep_checkpoints = 2;
    QTemporaryDir dir;
    fts::TrainerControl control;
    fts::EventQueue events;
    auto s = fts::runTrainingJob(c, {"ck", dir.path().toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    const auto kept = fts::stepCheckpoints(dir.path().toStdString());
    QCOMPARE(kept.size(), size_t(2));
    QCOMPARE(kept.back().filename().string(), std::string("step-00000020"));
    QCOMPARE(kept.front().filename().string(), std::string("step-00000016"));
    for (const char* f : {"model.safetensors", "optimizer.safetensors", "rng.safetensors", "trainer_state.json"})
      QVERIFY2(fs::exists(kept.back() / f), f);
    QVERIFY(!fs::exists(kept.back().string() + ".partial"));
    // The final model is a Hugging Face folder that loads back.
    QVERIFY(fs::exists(fs::path(dir.path().toStdString()) / "model" / "model.safetensors"));
    QVERIFY(fs::exists(fs::path(dir.path().toStdString()) / "model" / "tokenizer.model"));
  }

  void earlyStoppingKeepsTheBestWeights() {
    fts::TrainConfig c = tinyConfig();
    c.train.steps = 400;
    c.train.lr = 1e-2;      // overfits 108 samples quickly: validation loss turns up
    c.train.eval_every = 5;
    c.data.val_fraction = 0.25;
    c.train.early_stopping_patience = 3;
    QTemporaryDir dir;
    fts::TrainerControl control;
    fts::EventQueue events;
    auto s = fts::runTrainingJob(c, {"es", dir.path().toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    QVERIFY2(s.steps < 400, "early stopping never triggered");
    QVERIFY(s.reason.find("stopped early") != std::string::npos);
    // The reported validation loss is the best one seen, and the best checkpoint holds it.
    double best = 1e9;
    for (const auto& ev : events.drain())
      if (const auto* m = std::get_if<fts::MetricEvent>(&ev))
        if (m->name == "val/loss") best = std::min(best, m->value);
    QCOMPARE(s.metrics.at("val_loss"), best);
    QVERIFY(fs::exists(fts::bestCheckpointDir(dir.path().toStdString()) / "model.safetensors"));
  }

  void frozenLayersDoNotMove() {
    fts::TrainConfig c = tinyConfig();
    c.train.steps = 10;
    c.model.freeze_embeddings = true;
    c.model.freeze_layers = 1;
    QTemporaryDir dir;
    fts::TrainerControl control;
    fts::EventQueue events;
    auto s = fts::runTrainingJob(c, {"fz", dir.path().toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    // Compare the first and last checkpoints' tensors: frozen ones equal, trained ones not.
    c.train.checkpoint_every = 1;
    c.train.keep_checkpoints = 100;
    QTemporaryDir dir2;
    fts::EventQueue events2;
    s = fts::runTrainingJob(c, {"fz2", dir2.path().toStdString(), {}}, control, events2);
    const auto all = fts::stepCheckpoints(dir2.path().toStdString());
    QVERIFY(all.size() >= 2);
    const auto config = fts::LlamaConfig::load(fs::path(dir2.path().toStdString()) / "config.json");
    fts::LlamaForTask a(config, fts::HeadKind::SequenceClassification), b(config, fts::HeadKind::SequenceClassification);
    fts::loadCheckpoint(all.front(), a, nullptr);
    fts::loadCheckpoint(all.back(), b, nullptr);
    auto pa = a->named_parameters(), pb = b->named_parameters();
    QVERIFY(torch::equal(pa["model.embed_tokens.weight"], pb["model.embed_tokens.weight"]));
    QVERIFY(torch::equal(pa["model.layers.0.mlp.up_proj.weight"], pb["model.layers.0.mlp.up_proj.weight"]));
    QVERIFY(!torch::equal(pa["model.layers.1.mlp.up_proj.weight"], pb["model.layers.1.mlp.up_proj.weight"]));
    QVERIFY(!torch::equal(pa["score.weight"], pb["score.weight"]));
  }

  void fineTunesABaseModelFolder() {
    // A small causal LM saved as a Hugging Face folder is the base; the classifier starts from it.
    QTemporaryDir dir;
    const fs::path base = fs::path(dir.path().toStdString()) / "base";
    std::vector<std::string> texts;
    for (int i = 0; i < 100; ++i) texts.push_back("computers and science and food number " + std::to_string(i));
    fs::create_directories(base);
    auto tok = fts::SentencePieceTokenizer::train(texts, {.vocabSize = 400}, fs::path(dir.path().toStdString()) / "t.model");
    fts::LlamaConfig mc;
    mc.vocab_size = tok.vocabSize();
    mc.hidden_size = 32;
    mc.num_hidden_layers = 2;
    mc.num_attention_heads = 4;
    fts::LlamaForTask lm(mc, fts::HeadKind::CausalLM);
    fts::initLlamaWeights(*lm, 7);
    fts::saveHfModelFolder(base, lm, &tok);

    fts::TrainConfig c = tinyConfig();
    c.model.base = base.string();
    c.train.steps = 12;
    c.data.test = FTS_FIXTURES "/topics_small.csv";
    fts::TrainerControl control;
    fts::EventQueue events;
    const fs::path runDir = fs::path(dir.path().toStdString()) / "run";
    fs::create_directories(runDir);
    auto s = fts::runTrainingJob(c, {"base", runDir, {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    QVERIFY(s.metrics.count("test_accuracy"));
    bool loggedBase = false;
    for (const auto& ev : events.drain())
      if (const auto* l = std::get_if<fts::LogEvent>(&ev)) loggedBase |= l->message.find("base model") != std::string::npos;
    QVERIFY(loggedBase);
    // Embeddings came from the base model, not a fresh initialisation: the exported classifier
    // shares the base's tokenizer and vocabulary.
    const auto exported = fts::loadHfConfig(runDir / "model");
    QCOMPARE(exported.vocab_size, mc.vocab_size);
    QCOMPARE(exported.id2label.size(), size_t(3));
  }

  void runStoreRecordsTheRun() {
    QTemporaryDir home;
    fts::RunStore store(home.path().toStdString());
    fts::TrainConfig c = tinyConfig();
    c.train.steps = 8;
    c.train.eval_every = 4;
    const auto rec = store.beginRun("demo", "", "", c.toJson());
    fts::TrainerControl control;
    fts::EventQueue events;
    auto s = fts::runTrainingJob(c, {rec.id, rec.dir, home.path().toStdString()}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    const auto run = store.findRun(rec.id.substr(0, 17));
    QVERIFY(run.has_value());
    QCOMPARE(run->status, std::string("finished"));
    QCOMPARE(store.metrics(rec.id, "train/loss").size(), size_t(8));
    QVERIFY(store.metrics(rec.id, "val/accuracy").size() >= 2);
    QVERIFY(store.finalMetrics(rec.id).count("accuracy"));
    QVERIFY(!store.artifacts(rec.id).empty());
    store.removeRun(rec.id);
    QVERIFY(!store.findRun(rec.id).has_value());
    QVERIFY(!fs::exists(rec.dir));
  }
};

QTEST_GUILESS_MAIN(TestResume)
#include "test_resume.moc"
