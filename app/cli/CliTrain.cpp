#include "app/cli/CliTrain.h"

#include "app/cli/ProgressPrinter.h"
#include "app/cli/RunWithProgress.h"
#include "core/io/HfModelFolder.h"
#include "core/runs/RunPaths.h"
#include "core/runs/RunStore.h"
#include "core/train/Trainer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace fts::cli {

void addTrainCommand(CLI::App& app, TrainArgs& args, int& exitCode) {
  auto* cmd = app.add_subcommand("train", "Train a model on a data file or a project file");
  auto* project = cmd->add_option("--project", args.project, "Project file (.ftproject)")->check(CLI::ExistingFile);
  auto* data = cmd->add_option("--data", args.data, "Data file: CSV/TSV with text,label columns, or plain text");
  project->excludes(data);
  cmd->add_option("--task", args.task,
                  "cls (classification), lm (causal LM) or mlm (masked LM: an encoder's continued pretraining); default: from the data")
      ->check(CLI::IsMember({"cls", "lm", "mlm"}));
  cmd->add_option("--model", args.model,
                  "Base model folder to fine-tune (Hugging Face layout: config.json, safetensors weights, tokenizer.model "
                  "or tokenizer.json); same as --set model.base=DIR; `ftstudio models` lists those found");
  cmd->add_option("--set", args.sets, "Override a setting, e.g. --set train.lr=3e-4 (repeatable)");
  cmd->add_option("--steps", args.steps, "Stop after this many optimizer steps (same as --set train.steps=N)");
  cmd->add_option("--threads", args.threads, "CPU threads (default: all cores)");
  cmd->add_flag("--json", args.json, "Print the final result as one JSON object on stdout");
  cmd->callback([&] { exitCode = runTrain(args); });
}

int runTrain(const TrainArgs& args) {
  TrainConfig cfg;
  try {
    if (!args.project.empty()) cfg = ProjectFile::load(args.project).config;
    if (!args.data.empty()) cfg.data.train = args.data;
    if (!args.task.empty()) cfg.task = args.task;
    for (const auto& kv : args.sets) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos) throw std::invalid_argument("--set takes key=value, not '" + kv + "'");
      cfg.set(kv.substr(0, eq), kv.substr(eq + 1));
    }
    if (!args.model.empty()) cfg.model.base = args.model;
    if (args.steps >= 0) cfg.train.steps = args.steps;
    if (args.threads >= 0) cfg.train.threads = args.threads;
    if (cfg.data.train.empty()) throw std::invalid_argument("give --data FILE or --project FILE");
    // Stored with the run, so `ftstudio resume` works from any folder.
    for (std::string* path : {&cfg.data.train, &cfg.data.validation, &cfg.data.test, &cfg.model.base})
      if (!path->empty()) *path = std::filesystem::absolute(*path).lexically_normal().string();
    // A base model that is no model folder is bad input: said now, before a run is recorded.
    if (!cfg.model.base.empty()) findHfModelFiles(cfg.model.base);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftstudio train: %s\n", e.what());
    return 2;
  }

  RunRecord run;
  try {
    RunStore store(studioHome());
    const std::string name = !args.project.empty() ? std::filesystem::path(args.project).stem().string()
                                                   : std::filesystem::path(cfg.data.train).filename().string();
    run = store.beginRun(name, cfg.task, cfg.model.base, cfg.toJson());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftstudio train: %s\n", e.what());
    return 1;
  }
  std::FILE* human = args.json ? stderr : stdout;
  std::fprintf(human, "run %s (%s)\n", run.id.c_str(), run.dir.c_str());
  Trainer trainer(cfg, RunContext{run.id, run.dir, studioHome()});
  const TrainSummary s = runWithProgress(trainer, human);
  if (args.json) {
    nlohmann::ordered_json j;
    j["run"] = s.runId;
    j["run_dir"] = s.runDir.string();
    j["task"] = s.task;
    j["status"] = toString(s.state);
    if (!s.reason.empty()) j["reason"] = s.reason;
    j["steps"] = s.steps;
    j["tokens"] = s.tokens;
    j["seconds"] = s.seconds;
    j["metrics"] = s.metrics;
    std::cout << j.dump() << std::endl;
  } else {
    std::fprintf(stdout, "%s after %lld steps in %s", toString(s.state), static_cast<long long>(s.steps),
                 formatDuration(s.seconds).c_str());
    for (const auto& [k, v] : s.metrics) std::fprintf(stdout, "  %s %.4f", k.c_str(), v);
    std::fprintf(stdout, "\n");
    if (!s.reason.empty() && s.state != TrainerState::Finished) std::fprintf(stdout, "%s\n", s.reason.c_str());
  }
  if (s.state == TrainerState::Failed) return 1;
  return 0;
}

}  // namespace fts::cli
