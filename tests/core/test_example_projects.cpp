// Every shipped example project (projects/*/*.ftproject) loads with ProjectFile::load, names only
// data that the Makefile builds (`make data`, called by `make run` and `make test`), and that data
// loads for the project's task. Data missing from the tree is built here, into a temporary folder,
// by the project's own make-data.sh, so the test needs nothing but the Debian packages.
#include "core/data/DatasetLoader.h"
#include "core/train/TrainConfig.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace {

const fs::path kSource = fs::path(FTS_SOURCE_DIR);

struct Run {
  int exitCode = -1;
  QString out;
};

Run run(const QString& program, const QStringList& args) {
  QProcess p;
  p.setWorkingDirectory(QString::fromStdString(kSource.string()));
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  Run r;
  if (!p.waitForFinished(120000)) {
    p.kill();
    p.waitForFinished();
    return r;
  }
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAll());
  return r;
}

std::vector<fs::path> projectFiles() {
  std::vector<fs::path> out;
  for (const auto& dir : fs::directory_iterator(kSource / "projects"))
    if (dir.is_directory())
      for (const auto& f : fs::directory_iterator(dir.path()))
        if (f.path().extension() == ".ftproject") out.push_back(f.path());
  std::sort(out.begin(), out.end());
  return out;
}

// "projects/<project>/data/<file>" relative to the source tree, or empty when the path is elsewhere.
std::string dataPathInTree(const std::string& absolute) {
  const fs::path rel = fs::path(absolute).lexically_relative(kSource);
  auto it = rel.begin();
  if (rel.empty() || *it != "projects" || std::distance(rel.begin(), rel.end()) != 4) return {};
  ++it;
  ++it;
  return *it == "data" ? rel.generic_string() : std::string();
}

}  // namespace

class TestExampleProjects : public QObject {
  Q_OBJECT

  QTemporaryDir built_;
  std::set<std::string> projectsBuilt_;

  // The file itself when `make data` has built it, else the same file built afresh here.
  fs::path dataFile(const std::string& inTree) {
    if (fs::exists(kSource / inTree)) return kSource / inTree;
    const std::string project = std::next(fs::path(inTree).begin())->string();  // projects/<project>/data/<file>
    const fs::path out = fs::path(built_.path().toStdString()) / project / "data";
    if (projectsBuilt_.insert(project).second) {
      const Run r = run("bash", {QString::fromStdString((kSource / "projects" / project / "make-data.sh").string()),
                                 QString::fromStdString(out.string())});
      if (r.exitCode != 0) qWarning("make-data.sh of %s failed:\n%s", project.c_str(), qPrintable(r.out));
    }
    return out / fs::path(inTree).filename();
  }

 private slots:
  void theExamplesAreShipped() {
    std::set<std::string> names;
    for (const auto& f : projectFiles()) names.insert(f.lexically_relative(kSource).generic_string());
    for (const char* expected : {"projects/fortune-topics/fortune-topics.ftproject", "projects/fortune-topics/fortune-topics-500.ftproject",
                                 "projects/chinese-poems/chinese-poems.ftproject", "projects/fortune-domain/fortune-domain.ftproject"})
      QVERIFY2(names.count(expected), expected);
  }

  void everyProjectLoadsAndNamesDataTheMakefileBuilds() {
    // What `make data` does, without doing it: the recipes it would run.
    const Run makeData = run("make", {"-n", "-B", "data"});
    QVERIFY2(makeData.exitCode == 0, qPrintable(makeData.out));
    for (const auto& file : projectFiles()) {
      const std::string where = file.lexically_relative(kSource).generic_string();
      fts::ProjectFile p;
      try {
        p = fts::ProjectFile::load(file);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString::fromStdString(where + ": " + e.what())));
      }
      QVERIFY2(!p.name.empty(), where.c_str());
      QVERIFY2(p.config.task == "cls" || p.config.task == "lm", where.c_str());
      QVERIFY2(!p.config.data.train.empty(), where.c_str());
      if (!p.config.model.base.empty())  // the shipped base model, or a model the user has
        QVERIFY2(fs::path(p.config.model.base).lexically_relative(kSource).generic_string() == "projects/base-model/model",
                 (where + ": model.base " + p.config.model.base).c_str());

      for (const std::string* path : {&p.config.data.train, &p.config.data.validation, &p.config.data.test}) {
        if (path->empty()) continue;
        const std::string inTree = dataPathInTree(*path);
        QVERIFY2(!inTree.empty(), (where + ": " + *path + " is not in a project's data/ folder").c_str());
        // A rule of the Makefile makes this very file, and `make data` runs that rule.
        const Run rule = run("make", {"-n", "-B", QString::fromStdString(inTree)});
        QVERIFY2(rule.exitCode == 0, (where + ": the Makefile cannot make " + inTree + ":\n" + rule.out.toStdString()).c_str());
        const std::string script = "projects/" + std::next(fs::path(inTree).begin())->string() + "/make-data.sh";
        QVERIFY2(rule.out.contains(QString::fromStdString(script)), (inTree + " is not made by " + script).c_str());
        QVERIFY2(makeData.out.contains(QString::fromStdString(script)), ("`make data` does not run " + script).c_str());

        // And the data loads for the project's task.
        fts::data::LoadOptions o;
        o.task = p.config.task == "cls" ? fts::data::DataTask::Classification : fts::data::DataTask::LanguageModel;
        o.textColumn = p.config.data.text_col;
        o.labelColumn = p.config.data.label_col;
        const fs::path data = dataFile(inTree);
        try {
          const auto result = fts::data::loadDataset(data, o);
          QVERIFY2(result.dataset.samples.size() >= 20, (where + ": " + data.string() + " holds too few rows").c_str());
          QVERIFY2(result.skipped.empty(), (where + ": " + data.string() + " has rows the loader skips").c_str());
          if (o.task == fts::data::DataTask::Classification)
            QVERIFY2(result.dataset.classCounts().size() >= 2, (where + ": fewer than two classes").c_str());
          else
            QVERIFY2(!result.dataset.labelled(), (where + ": an LM project reads labels").c_str());
        } catch (const std::exception& e) {
          QFAIL(qPrintable(QString::fromStdString(where + ": " + e.what())));
        }
      }
    }
  }

  void chinesePoemsArePromptResponsePairs() {
    const auto data = fts::data::loadDataset(dataFile("projects/chinese-poems/data/test.jsonl"));
    QCOMPARE(data.dataset.samples.size(), std::size_t{40});  // every 10th of the 408 poems
    QVERIFY(data.dataset.paired());
    const auto& first = data.dataset.samples.front();  // the 10th poem of tang300
    QCOMPARE(first.text, std::string("《宿业师山房待丁大不至》孟浩然"));
    QCOMPARE(first.response, std::string("夕阳度西岭，群壑倏已暝。\n松月生夜凉，风泉满清听。\n樵人归尽欲，烟鸟栖初定。\n之子期宿来，孤琴候萝径。"));
  }

  void fortuneDomainReadsTopicTextWithoutLabels() {
    const auto p = fts::ProjectFile::load(kSource / "projects/fortune-domain/fortune-domain.ftproject");
    QCOMPARE(p.config.task, std::string("lm"));
    fts::data::LoadOptions o;
    o.task = fts::data::DataTask::LanguageModel;
    o.textColumn = p.config.data.text_col;
    const auto lm = fts::data::loadDataset(dataFile("projects/fortune-topics/data/train.csv"), o);
    const auto cls = fts::data::loadDataset(dataFile("projects/fortune-topics/data/train.csv"));
    QCOMPARE(lm.dataset.samples.size(), cls.dataset.samples.size());  // every training row, as text
    QVERIFY(!lm.dataset.labelled());
    QVERIFY(cls.dataset.labelled());
    QCOMPARE(lm.dataset.samples[7].text, cls.dataset.samples[7].text);
  }
};

QTEST_GUILESS_MAIN(TestExampleProjects)
#include "test_example_projects.moc"
