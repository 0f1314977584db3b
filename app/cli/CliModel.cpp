#include "app/cli/CliModel.h"

#include "app/cli/RunWithProgress.h"
#include "core/eval/RunModel.h"
#include "core/runs/RunPaths.h"
#include "core/runs/RunStore.h"
#include "core/train/Trainer.h"
#include "core/util/AtomicFile.h"
#include "core/util/Runtime.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace fts::cli {
namespace {

using json = nlohmann::ordered_json;

RunRecord requireRun(const std::string& id) {
  RunStore store(studioHome());
  auto r = store.findRun(id);
  if (!r) throw std::invalid_argument("no run '" + id + "' (see `ftstudio runs list`)");
  return *r;
}

// Accepts a run id (or unique prefix) or a path to a model or run folder.
std::filesystem::path modelFolderOf(const std::string& what) {
  if (std::filesystem::is_directory(what)) return what;
  return requireRun(what).dir;
}

int resume(const std::string& id, bool asJson) {
  const RunRecord run = requireRun(id);
  const std::filesystem::path dir = run.dir;
  if (!std::filesystem::exists(dir / "train_config.json"))
    throw std::runtime_error(dir.string() + ": the run never started training (no train_config.json): start a new one");
  const TrainConfig cfg = TrainConfig::fromJson(readWholeFile(dir / "train_config.json"), (dir / "train_config.json").string());
  std::FILE* human = asJson ? stderr : stdout;
  std::fprintf(human, "resuming run %s (%s)\n", run.id.c_str(), run.dir.c_str());
  Trainer trainer(cfg, RunContext{run.id, dir, studioHome(), /*resume=*/true});
  const TrainSummary s = runWithProgress(trainer, human);
  if (asJson) {
    json j;
    j["run"] = s.runId;
    j["status"] = toString(s.state);
    if (!s.reason.empty()) j["reason"] = s.reason;
    j["steps"] = s.steps;
    j["metrics"] = s.metrics;
    std::cout << j.dump() << std::endl;
  } else {
    std::printf("%s after %lld steps%s%s\n", toString(s.state), static_cast<long long>(s.steps), s.reason.empty() ? "" : ": ",
                s.reason.c_str());
  }
  return s.state == TrainerState::Failed ? 1 : 0;
}

int evaluate(const std::string& id, const std::string& file, const std::string& textCol, const std::string& labelCol, int maxLen, bool pack,
             bool asJson) {
  configureThreads(0);
  const RunModel model = RunModel::load(modelFolderOf(id));
  data::LoadOptions lo;
  lo.textColumn = textCol;
  lo.labelColumn = labelCol;
  const Evaluation ev = model.evaluate(file, lo, maxLen, pack);
  if (asJson) {
    json j;
    j["run"] = id;
    j["data"] = file;
    j["samples"] = ev.samples;
    j["metrics"] = ev.metrics;
    if (model.isClassifier()) {
      json per = json::object();
      for (size_t c = 0; c < ev.labels.size(); ++c)
        per[ev.labels[c]] = {{"precision", ev.report.precision[c]}, {"recall", ev.report.recall[c]}, {"f1", ev.report.f1[c]},
                             {"support", ev.report.support[c]}};
      j["per_class"] = per;
      j["labels"] = ev.labels;
      j["confusion"] = ev.report.confusion;
    }
    std::cout << j.dump() << std::endl;
    return 0;
  }
  std::printf("model: %s\ndata: %s (%lld samples)\n", model.source().c_str(), file.c_str(), static_cast<long long>(ev.samples));
  for (const auto& [k, v] : ev.metrics) std::printf("%-12s %.4f\n", k.c_str(), v);
  if (model.isClassifier()) {
    std::printf("\n%-20s %9s %9s %9s %8s\n", "class", "precision", "recall", "f1", "support");
    for (size_t c = 0; c < ev.labels.size(); ++c)
      std::printf("%-20.20s %9.4f %9.4f %9.4f %8ld\n", ev.labels[c].c_str(), ev.report.precision[c], ev.report.recall[c],
                  ev.report.f1[c], ev.report.support[c]);
  }
  return 0;
}

int predict(const std::string& id, const std::vector<std::string>& texts, const GenerationOptions& gen, bool asJson) {
  configureThreads(0);
  const RunModel model = RunModel::load(modelFolderOf(id));
  json all = json::array();
  for (const auto& text : texts) {
    const Prediction p = model.predict(text, gen);
    if (asJson) {
      json j;
      j["text"] = text;
      if (model.isClassifier()) {
        j["label"] = p.label;
        json scores = json::object();
        for (const auto& [label, prob] : p.scores) scores[label] = prob;
        j["scores"] = scores;
      } else {
        j["continuation"] = p.continuation;
      }
      all.push_back(j);
    } else if (model.isClassifier()) {
      std::printf("%s", p.label.c_str());
      for (size_t i = 0; i < std::min<size_t>(3, p.scores.size()); ++i)
        std::printf("%s%s %.3f", i == 0 ? "\t(" : ", ", p.scores[i].first.c_str(), p.scores[i].second);
      std::printf(")\n");
    } else {
      std::printf("%s%s\n", text.c_str(), p.continuation.c_str());
    }
  }
  if (asJson) std::cout << (all.size() == 1 ? all[0].dump() : all.dump()) << std::endl;
  return 0;
}

template <typename Fn>
void guarded(int& exitCode, const char* what, Fn fn) {
  try {
    exitCode = fn();
  } catch (const data::DataError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    exitCode = 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftstudio %s: %s\n", what, e.what());
    exitCode = 2;
  }
}

}  // namespace

void addModelCommands(CLI::App& app, int& exitCode) {
  static std::string resumeId, evalId, evalData, textCol, labelCol, predictId;
  static bool resumeJson = false, evalJson = false, evalPack = false, predictJson = false;
  static int maxLen = 512;
  static std::vector<std::string> texts;
  static GenerationOptions gen;

  auto* r = app.add_subcommand("resume", "Continue a stopped run from its newest checkpoint");
  r->add_option("RUN", resumeId, "Run id (or a unique prefix)")->required();
  r->add_flag("--json", resumeJson, "Print the final result as one JSON object");
  r->callback([&] { guarded(exitCode, "resume", [] { return resume(resumeId, resumeJson); }); });

  auto* e = app.add_subcommand("eval", "Evaluate a run's model on a data file");
  e->add_option("RUN", evalId, "Run id, or a model folder")->required();
  e->add_option("--data", evalData, "Data file (same columns as for training)")->required()->check(CLI::ExistingFile);
  e->add_option("--text-col", textCol, "Text column (default: detected)");
  e->add_option("--label-col", labelCol, "Label column (default: detected)");
  e->add_option("--max-len", maxLen, "Tokens per sample (longer ones are truncated)");
  e->add_flag("--pack", evalPack, "Language models: score the texts joined into blocks of --max-len tokens, as pretraining does");
  e->add_flag("--json", evalJson, "Print one JSON object: metrics, per_class, confusion");
  e->callback([&] { guarded(exitCode, "eval", [] { return evaluate(evalId, evalData, textCol, labelCol, maxLen, evalPack, evalJson); }); });

  auto* p = app.add_subcommand("predict", "Classify a text, or continue it with a language model");
  p->add_option("RUN", predictId, "Run id, or a model folder")->required();
  p->add_option("--text", texts, "Text (repeatable)")->required();
  p->add_option("--max-tokens", gen.maxNewTokens, "Language models: tokens to generate");
  p->add_option("--temperature", gen.temperature, "Language models: 0 for greedy, else sampling temperature");
  p->add_option("--top-k", gen.topK, "Language models: sample only among the k most likely tokens (0: all)");
  p->add_option("--repetition-penalty", gen.repetitionPenalty, "Language models: > 1 makes tokens already in the text less likely (1.2 is common)");
  p->add_option("--seed", gen.seed, "Language models: sampling seed");
  p->add_flag("--json", predictJson, "Print JSON");
  p->callback([&] { guarded(exitCode, "predict", [] { return predict(predictId, texts, gen, predictJson); }); });
}

}  // namespace fts::cli
