// Training with augmentation (augment.* settings): offline variants beside each training row, online
// variants drawn afresh every epoch, exact resume across an epoch whose variants are new, settings
// recorded with the run, and bad settings refused with the reason.
#include "core/train/Trainer.h"
#include "core/util/AtomicFile.h"

#include <QTemporaryDir>
#include <QtTest>

#include <map>

namespace {

fts::TrainConfig tinyConfig() {
  fts::TrainConfig c;
  c.data.train = FTS_FIXTURES "/topics_small.csv";
  c.model.vocab_size = 600;
  c.model.hidden_size = 32;
  c.model.layers = 2;
  c.model.heads = 4;
  c.train.batch_size = 8;
  c.train.lr = 3e-3;
  c.train.eval_every = 0;
  c.train.threads = 1;
  c.train.deterministic = true;
  // Swaps and deletions need no lexicon, so the test does not depend on WordNet's files.
  c.augment.ops = "rs=0.2,rd=0.2";
  c.augment.synonyms = "none";
  return c;
}

struct Run {
  fts::TrainSummary summary;
  std::map<std::int64_t, double> losses;
  std::vector<std::string> logs;
};

Run train(const fts::TrainConfig& c, const QString& dir, bool resume = false) {
  fts::TrainerControl control;
  fts::EventQueue events;
  Run r;
  r.summary = fts::runTrainingJob(c, {"aug", dir.toStdString(), {}, resume}, control, events);
  for (const auto& ev : events.drain()) {
    if (const auto* m = std::get_if<fts::MetricEvent>(&ev); m && m->name == "train/loss") r.losses[m->step] = m->value;
    if (const auto* l = std::get_if<fts::LogEvent>(&ev)) r.logs.push_back(l->message);
  }
  return r;
}

std::string lineWith(const std::vector<std::string>& logs, const std::string& needle) {
  for (const auto& l : logs)
    if (l.find(needle) != std::string::npos) return l;
  return {};
}

}  // namespace

class TestAugmentedTraining : public QObject {
  Q_OBJECT
 private slots:
  void offlineAddsVariantsBesideEachRow() {
    fts::TrainConfig c = tinyConfig();
    c.augment.mode = "offline";
    c.augment.n = 2;
    c.train.steps = 5;
    QTemporaryDir dir;
    const Run r = train(c, dir.path());
    QVERIFY2(r.summary.state == fts::TrainerState::Finished, r.summary.reason.c_str());
    const std::string line = lineWith(r.logs, "augmentation offline");
    QVERIFY2(!line.empty(), "the run says how it augments");
    // 108 training rows (120 less the validation split), each with 2 variants: 324 samples.
    QVERIFY2(line.find("324 training samples per epoch (108 rows") != std::string::npos, line.c_str());
    // The settings are recorded with the run.
    const std::string saved = fts::readWholeFile(dir.path().toStdString() + "/train_config.json");
    QVERIFY(saved.find("\"mode\": \"offline\"") != std::string::npos);
    QVERIFY(saved.find("\"ops\": \"rs=0.2,rd=0.2\"") != std::string::npos);
  }

  void onlineDrawsFreshVariantsAndResumesExactly() {
    // 14 batches per epoch of 108 samples (n = 1: 216 samples, 27 batches): 40 steps cross into epoch 1.
    fts::TrainConfig c = tinyConfig();
    c.augment.mode = "online";
    c.augment.n = 1;
    c.train.steps = 40;
    QTemporaryDir full;
    const Run reference = train(c, full.path());
    QVERIFY2(reference.summary.state == fts::TrainerState::Finished, reference.summary.reason.c_str());
    QCOMPARE(reference.losses.size(), size_t{40});

    // The same settings offline: identical through epoch 0, different after it (new variants online).
    fts::TrainConfig off = c;
    off.augment.mode = "offline";
    QTemporaryDir offDir;
    const Run offline = train(off, offDir.path());
    for (std::int64_t s = 1; s <= 27; ++s) QCOMPARE(offline.losses.at(s), reference.losses.at(s));
    bool differs = false;
    for (std::int64_t s = 29; s <= 40; ++s) differs |= std::abs(offline.losses.at(s) - reference.losses.at(s)) > 1e-6;
    QVERIFY2(differs, "epoch 1 trains on the same variants as epoch 0");

    // Stopped in epoch 1 (its variants drawn) and resumed: the same losses as the uninterrupted run.
    QTemporaryDir part;
    fts::Trainer first(c, {"part", part.path().toStdString(), {}});
    first.start();
    std::int64_t seen = 0;
    while (seen < 31 && first.isRunning())
      for (const auto& ev : first.events().waitAndDrain(50))
        if (const auto* p = std::get_if<fts::ProgressEvent>(&ev)) seen = p->step;
    first.requestStop();
    first.join();
    QCOMPARE(first.summary().state, fts::TrainerState::Stopped);
    const std::int64_t stoppedAt = first.summary().steps;
    QVERIFY(stoppedAt > 27 && stoppedAt < 40);
    const Run resumed = train(c, part.path(), /*resume=*/true);
    QVERIFY2(resumed.summary.state == fts::TrainerState::Finished, resumed.summary.reason.c_str());
    QCOMPARE(resumed.losses.size(), size_t(40 - stoppedAt));
    for (const auto& [step, loss] : resumed.losses)
      QVERIFY2(std::abs(loss - reference.losses.at(step)) < 1e-5,
               qPrintable(QString("step %1: resumed %2, uninterrupted %3").arg(step).arg(loss, 0, 'g', 9).arg(reference.losses.at(step), 0, 'g', 9)));
  }

  void badSettingsAreRefusedWithTheReason() {
    for (const auto& [key, value, needle] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"augment.mode", "sometimes", "augment.mode must be off, offline or online"},
             {"augment.ops", "sr=0.1,zz=3", "augment.ops"},
             {"augment.n", "0", "augment.n must be between 1 and 64"},
             {"augment.synonyms", "/no/such/synonyms.txt", "/no/such/synonyms.txt"}}) {
      fts::TrainConfig c = tinyConfig();
      if (key != "augment.mode") c.augment.mode = "online";
      c.set(key, value);
      c.train.steps = 2;
      QTemporaryDir dir;
      const Run r = train(c, dir.path());
      QCOMPARE(r.summary.state, fts::TrainerState::Failed);
      QVERIFY2(r.summary.reason.find(needle) != std::string::npos, (key + ": " + r.summary.reason).c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestAugmentedTraining)
#include "test_augmented_training.moc"
