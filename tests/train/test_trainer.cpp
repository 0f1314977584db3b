// A tiny real training run: the loss goes down, events arrive in order, stop and failures are clean.
#include "core/train/Trainer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

namespace {

fts::TrainConfig tinyConfig() {
  fts::TrainConfig c;
  c.data.train = FTS_FIXTURES "/topics_small.csv";
  c.model.vocab_size = 800;
  c.model.hidden_size = 64;
  c.model.layers = 2;
  c.model.heads = 4;
  c.train.batch_size = 16;
  c.train.lr = 3e-3;
  c.train.warmup_steps = 5;
  c.train.eval_every = 0;
  c.train.threads = 2;
  return c;
}

struct Collected {
  std::vector<double> trainLoss;
  std::vector<fts::TrainerState> states;
  std::vector<std::string> logs;
  std::int64_t lastStep = 0;
  bool stepsInOrder = true;
};

Collected collect(fts::EventQueue& q) {
  Collected c;
  for (const auto& ev : q.drain()) {
    if (const auto* m = std::get_if<fts::MetricEvent>(&ev)) {
      if (m->name == "train/loss") {
        if (m->step != c.lastStep + 1) c.stepsInOrder = false;
        c.lastStep = m->step;
        c.trainLoss.push_back(m->value);
      }
    } else if (const auto* s = std::get_if<fts::StateEvent>(&ev)) {
      c.states.push_back(s->state);
    } else if (const auto* l = std::get_if<fts::LogEvent>(&ev)) {
      c.logs.push_back(l->message);
    }
  }
  return c;
}

double mean(const std::vector<double>& v, size_t from, size_t to) {
  double s = 0;
  for (size_t i = from; i < to; ++i) s += v[i];
  return s / static_cast<double>(to - from);
}

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private slots:
  void badRowsStopOrAreSkippedAndListed() {
    QTemporaryDir dir;
    QByteArray csv = "text,label\n";
    for (int i = 0; i < 40; ++i) csv += "sample number " + QByteArray::number(i) + " about " + (i % 2 ? "cats" : "dogs") + "," + (i % 2 ? "a" : "b") + "\n";
    csv += "one,field,too many\n";           // line 42
    csv += "bad \xff byte,a\n";              // line 43
    QFile f(dir.filePath("rows.csv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(csv);
    f.close();
    fts::TrainConfig c = tinyConfig();
    c.data.train = dir.filePath("rows.csv").toStdString();
    c.train.steps = 3;
    fts::TrainerControl control;
    {
      fts::EventQueue events;
      const auto s = fts::runTrainingJob(c, {"stop", dir.filePath("stop").toStdString(), {}}, control, events);
      QCOMPARE(s.state, fts::TrainerState::Failed);
      QVERIFY2(s.reason.find("rows.csv:42") != std::string::npos, s.reason.c_str());
    }
    c.data.on_error = "skip";
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"skip", dir.filePath("skip").toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    bool warned = false;
    for (const auto& line : collect(events).logs) warned |= line.find("rows.csv: 2 rows skipped (data.on_error=skip)") != std::string::npos;
    QVERIFY(warned);
    QFile list(dir.filePath("skip/skipped_rows.txt"));
    QVERIFY(list.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = list.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].contains("rows.csv:42"), lines[0].constData());
    QVERIFY2(lines[1].contains("rows.csv:43"), lines[1].constData());
    c.data.on_error = "ignore";
    const auto bad = fts::runTrainingJob(c, {"bad", dir.filePath("bad").toStdString(), {}}, control, events);
    QVERIFY2(bad.reason.find("data.on_error must be stop") == 0, bad.reason.c_str());
  }

  void lossGoesDown() {
    QTemporaryDir dir;
    fts::TrainConfig c = tinyConfig();
    c.train.steps = 60;
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"t", dir.path().toStdString(), {}}, control, events);
    const Collected got = collect(events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    QCOMPARE(s.task, std::string("cls"));
    QCOMPARE(s.steps, 60);
    QCOMPARE(got.trainLoss.size(), size_t(60));
    QVERIFY(got.stepsInOrder);
    // Three classes start near ln 3 = 1.10; sixty steps on 108 samples must fit them well below.
    const double first = mean(got.trainLoss, 0, 5), last = mean(got.trainLoss, 55, 60);
    QVERIFY2(first > 0.9, qPrintable(QString::number(first)));
    QVERIFY2(last < 0.5 * first, qPrintable(QString("first %1, last %2").arg(first).arg(last)));
    QVERIFY(s.metrics.count("accuracy") && s.metrics.count("macro_f1"));
    QCOMPARE(got.states.front(), fts::TrainerState::Preparing);
    QCOMPARE(got.states.back(), fts::TrainerState::Finished);
    QVERIFY(QFile::exists(dir.filePath("tokenizer.model")));
    QVERIFY(QFile::exists(dir.filePath("config.json")));
    QVERIFY(QFile::exists(dir.filePath("metrics.json")));
  }

  void languageModelOnPlainText() {
    QTemporaryDir dir;
    QFile f(dir.filePath("corpus.txt"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    for (int i = 0; i < 80; ++i) f.write(QString("the cat sat on the mat number %1 and purred\n").arg(i % 7).toUtf8());
    f.close();
    fts::TrainConfig c = tinyConfig();
    c.data.train = f.fileName().toStdString();
    c.train.steps = 30;
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"lm", dir.path().toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    QCOMPARE(s.task, std::string("lm"));
    const Collected got = collect(events);
    QVERIFY(mean(got.trainLoss, 25, 30) < 0.5 * mean(got.trainLoss, 0, 3));
    QVERIFY(s.metrics.count("perplexity"));
  }

  void stopRequestEndsTheRun() {
    QTemporaryDir dir;
    fts::TrainConfig c = tinyConfig();
    c.train.steps = 100000;
    fts::Trainer trainer(c, {"stop", dir.path().toStdString(), {}});
    trainer.start();
    // Wait for training to be under way, then stop.
    std::int64_t seen = 0;
    for (int i = 0; i < 600 && seen < 3; ++i) {
      for (const auto& ev : trainer.events().waitAndDrain(100))
        if (const auto* p = std::get_if<fts::ProgressEvent>(&ev)) seen = p->step;
    }
    QVERIFY(seen >= 3);
    trainer.requestStop();
    trainer.join();
    const auto s = trainer.summary();
    QCOMPARE(s.state, fts::TrainerState::Stopped);
    QVERIFY(s.steps < 100000);
    QVERIFY(s.reason.find("stopped by the user") != std::string::npos);
  }

  // Pause holds the loop between steps (state Paused, no step taken while paused); resuming goes on
  // from the next step; stopping while paused ends the run.
  void pauseHoldsTheRunAndResumeContinuesIt() {
    QTemporaryDir dir;
    fts::TrainConfig c = tinyConfig();
    c.train.steps = 100000;
    fts::Trainer trainer(c, {"pause", dir.path().toStdString(), {}});
    trainer.start();
    std::int64_t step = 0;
    bool paused = false, resumed = false;
    auto drain = [&](int ms) {
      for (const auto& ev : trainer.events().waitAndDrain(ms)) {
        if (const auto* p = std::get_if<fts::ProgressEvent>(&ev)) step = p->step;
        if (const auto* s = std::get_if<fts::StateEvent>(&ev)) {
          if (s->state == fts::TrainerState::Paused) paused = true;
          if (s->state == fts::TrainerState::Running && paused) resumed = true;
        }
      }
    };
    for (int i = 0; i < 600 && step < 3; ++i) drain(100);
    QVERIFY(step >= 3);
    trainer.setPaused(true);
    for (int i = 0; i < 600 && !paused; ++i) drain(100);
    QVERIFY(paused);
    drain(50);
    const std::int64_t atPause = step;
    for (int i = 0; i < 5; ++i) drain(100);  // half a second paused: no step may be taken
    QCOMPARE(step, atPause);
    trainer.setPaused(false);
    for (int i = 0; i < 600 && step < atPause + 3; ++i) drain(100);
    QVERIFY(resumed);
    QVERIFY(step >= atPause + 3);
    paused = false;
    trainer.setPaused(true);
    for (int i = 0; i < 600 && !paused; ++i) drain(100);
    trainer.requestStop();
    trainer.join();
    QCOMPARE(trainer.summary().state, fts::TrainerState::Stopped);
  }

  void singleClassIsAClearFailure() {
    QTemporaryDir dir;
    QFile f(dir.filePath("one.csv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("text,label\n");
    for (int i = 0; i < 10; ++i) f.write(QString("sample %1,only\n").arg(i).toUtf8());
    f.close();
    fts::TrainConfig c = tinyConfig();
    c.data.train = f.fileName().toStdString();
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"one", dir.path().toStdString(), {}}, control, events);
    QCOMPARE(s.state, fts::TrainerState::Failed);
    QVERIFY2(s.reason.find("only one class") != std::string::npos, s.reason.c_str());
  }

  void divergenceStopsWithAnExplanation() {
    QTemporaryDir dir;
    fts::TrainConfig c = tinyConfig();
    c.train.steps = 200;
    c.train.lr = 1e6;  // absurd: the loss explodes
    c.train.warmup_steps = 0;
    c.train.grad_clip = 0;
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"nan", dir.path().toStdString(), {}}, control, events);
    QCOMPARE(s.state, fts::TrainerState::Failed);
    QVERIFY2(s.reason.find("learning rate") != std::string::npos, s.reason.c_str());
  }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
