// Project files and --set use the same dotted keys; typos and wrong types are errors, not ignored.
#include "core/train/LrSchedule.h"
#include "core/train/TrainConfig.h"

#include <QTemporaryDir>
#include <QtTest>

class TestTrainConfig : public QObject {
  Q_OBJECT
 private slots:
  void setConvertsByKeyType() {
    fts::TrainConfig c;
    c.set("train.lr", "3e-4");
    c.set("train.batch_size", "7");
    c.set("task", "lm");
    c.set("data.text_col", "review");
    QCOMPARE(c.train.lr, 3e-4);
    QCOMPARE(c.train.batch_size, 7);
    QCOMPARE(c.task, std::string("lm"));
    QCOMPARE(c.data.text_col, std::string("review"));
  }

  void setRefusesUnknownKeysAndBadValues() {
    fts::TrainConfig c;
    try {
      c.set("train.learning_rate", "1");
      QFAIL("unknown key accepted");
    } catch (const std::invalid_argument& e) {
      QVERIFY(std::string(e.what()).find("unknown setting 'train.learning_rate'") != std::string::npos);
      QVERIFY(std::string(e.what()).find("train.lr") != std::string::npos);  // lists the valid keys
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, c.set("train.batch_size", "3.5"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, c.set("train.lr", "fast"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, c.set("train", "1"));
  }

  void jsonRoundTrip() {
    fts::TrainConfig c;
    c.set("train.epochs", "9");
    c.set("model.hidden_size", "96");
    const auto back = fts::TrainConfig::fromJson(c.toJson(), "mem");
    QCOMPARE(back.toJson(), c.toJson());
  }

  void projectFileResolvesPathsAndRejectsTypos() {
    QTemporaryDir dir;
    QFile f(dir.filePath("p.ftproject"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "Demo", "data": {"train": "data/train.csv"}, "train": {"lr": 0.01}})");
    f.close();
    const auto p = fts::ProjectFile::load(f.fileName().toStdString());
    QCOMPARE(p.name, std::string("Demo"));
    QCOMPARE(p.config.data.train, dir.filePath("data/train.csv").toStdString());
    QCOMPARE(p.config.train.lr, 0.01);

    QFile g(dir.filePath("bad.ftproject"));
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(R"({"train": {"lrr": 0.01}})");
    g.close();
    try {
      fts::ProjectFile::load(g.fileName().toStdString());
      QFAIL("typo accepted");
    } catch (const std::invalid_argument& e) {
      QVERIFY2(std::string(e.what()).find("bad.ftproject: unknown key 'train.lrr'") != std::string::npos, e.what());
    }
  }

  void scheduleShapes() {
    fts::LrSchedule s{"cosine", 1.0, 10, 110};
    QCOMPARE(s.at(0), 0.1);
    QCOMPARE(s.at(9), 1.0);
    QCOMPARE(s.at(10), 1.0);
    QVERIFY(std::abs(s.at(60) - 0.55) < 1e-9);  // halfway down from 1.0 to the 0.1 floor
    QVERIFY(std::abs(s.at(110) - 0.1) < 1e-9);
    fts::LrSchedule lin{"linear", 2.0, 0, 100};
    QVERIFY(std::abs(lin.at(50) - 1.1) < 1e-9);
    fts::LrSchedule flat{"constant", 0.5, 0, 100};
    QCOMPARE(flat.at(99), 0.5);
  }
};

QTEST_GUILESS_MAIN(TestTrainConfig)
#include "test_train_config.moc"
