// Baselines: bag-of-words features (CJK included), naive Bayes that learns, the majority class, a
// JSON round trip, and a baseline run with the events, files and model use of a network run.
#include "core/baseline/TextClassBaseline.h"
#include "core/eval/RunModel.h"
#include "core/train/Trainer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

class TestBaseline : public QObject {
  Q_OBJECT
 private slots:
  void featuresAreWordsPairsAndCjkCharacters() {
    QCOMPARE(fts::bagOfWordsFeatures("The cat, the HAT!"),
             (std::vector<std::string>{"the", "cat", "the", "hat", "the cat", "cat the", "the hat"}));
    QCOMPARE(fts::bagOfWordsFeatures("春眠不觉晓"),
             (std::vector<std::string>{"春", "眠", "不", "觉", "晓", "春 眠", "眠 不", "不 觉", "觉 晓"}));
    QCOMPARE(fts::bagOfWordsFeatures("AI模型"), (std::vector<std::string>{"ai", "模", "型", "ai 模", "模 型"}));
    QVERIFY(fts::bagOfWordsFeatures("  ...  ").empty());
  }

  void naiveBayesLearnsAndRoundTrips() {
    const std::vector<std::string> texts{"goal match striker", "match referee goal", "compiler kernel bug", "kernel segfault compiler",
                                         "striker scored", "bug in the compiler"};
    const std::vector<int> labels{0, 0, 1, 1, 0, 1};
    auto b = fts::TextClassBaseline::train(fts::BaselineKind::BagOfWords, texts, labels, {"sports", "computers"});
    QCOMPARE(b.predict("the striker and the referee"), 0);
    QCOMPARE(b.predict("a kernel bug"), 1);
    const auto p = b.probabilities("kernel");
    QCOMPARE(p.size(), std::size_t(2));
    QVERIFY(std::abs(p[0] + p[1] - 1.0) < 1e-12);
    QVERIFY(p[1] > 0.7);
    b.setAlpha(0.1);
    const auto copy = fts::TextClassBaseline::fromJson(b.toJson(), "mem");
    QCOMPARE(copy.alpha(), 0.1);
    QCOMPARE(copy.vocabularySize(), b.vocabularySize());
    for (const char* t : {"kernel", "goal goal", "unknown words only", "春"}) {
      const auto a = b.probabilities(t), c = copy.probabilities(t);
      for (std::size_t k = 0; k < a.size(); ++k) QVERIFY(std::abs(a[k] - c[k]) < 1e-12);
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fts::TextClassBaseline::fromJson("{\"format\": \"x\"}", "f.json"));
  }

  void majorityPredictsTheCommonestClass() {
    const auto b = fts::TextClassBaseline::train(fts::BaselineKind::Majority, {"a", "b", "c"}, {1, 1, 0}, {"x", "y"});
    QCOMPARE(b.predict("anything at all"), 1);
  }

  void baselineRunIsARunLikeAnyOther() {
    fts::TrainConfig c;
    c.data.train = FTS_FIXTURES "/topics_small.csv";
    c.data.test = FTS_FIXTURES "/topics_small.csv";
    c.model.type = "bow";
    QTemporaryDir dir;
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"bow", dir.path().toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    QCOMPARE(s.task, std::string("cls"));
    QVERIFY(s.metrics.count("accuracy") && s.metrics.count("macro_f1") && s.metrics.count("test_accuracy"));
    QVERIFY(s.metrics.at("test_accuracy") > 0.8);  // its own training rows are most of this test file
    int reports = 0;
    bool accuracySeries = false;
    for (const auto& ev : events.drain()) {
      if (std::holds_alternative<fts::EvalReportEvent>(ev)) ++reports;
      if (const auto* m = std::get_if<fts::MetricEvent>(&ev)) accuracySeries |= m->name == "val/accuracy";
    }
    QCOMPARE(reports, 2);  // validation and test
    QVERIFY(accuracySeries);
    QVERIFY(QFile::exists(dir.filePath("baseline.json")));
    QVERIFY(QFile::exists(dir.filePath("metrics.json")));
    // `ftstudio predict` and `eval` use it as they use a network.
    const auto model = fts::RunModel::load(dir.path().toStdString());
    QVERIFY(model.isClassifier());
    QVERIFY(!model.predict("The compiler crashed").label.empty());
    const auto ev = model.evaluate(FTS_FIXTURES "/topics_small.csv", {}, 64);
    QCOMPARE(ev.metrics.at("accuracy"), s.metrics.at("test_accuracy"));
  }

  void baselinesRefuseLanguageModelling() {
    fts::TrainConfig c;
    c.task = "lm";
    c.data.train = FTS_FIXTURES "/topics_small.csv";
    c.model.type = "majority";
    QTemporaryDir dir;
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"m", dir.path().toStdString(), {}}, control, events);
    QCOMPARE(s.state, fts::TrainerState::Failed);
    QCOMPARE(s.reason, std::string("baselines classify texts; a causal language model needs model.type llama"));
    c.task = "";
    c.model.type = "svm";
    const auto t = fts::runTrainingJob(c, {"m", dir.path().toStdString(), {}}, control, events);
    QCOMPARE(t.reason, std::string("model.type must be llama, bow or majority, not 'svm'"));
  }
};

QTEST_APPLESS_MAIN(TestBaseline)
#include "test_baseline.moc"
