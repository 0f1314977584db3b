#include "app/cli/CliPretrain.h"

#include "app/cli/ProgressPrinter.h"
#include "app/cli/RunWithProgress.h"
#include "core/data/Fingerprint.h"
#include "core/eval/RunModel.h"
#include "core/export/Exporter.h"
#include "core/report/SvgLineChart.h"
#include "core/runs/RunPaths.h"
#include "core/runs/RunStore.h"
#include "core/train/PretrainRecipe.h"
#include "core/train/Trainer.h"
#include "core/util/AtomicFile.h"
#include "core/util/Runtime.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace fts::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct PretrainArgs {
  std::string recipe;
  std::string resume;    // a stopped run of this recipe to continue
  std::string publish;   // a finished run of this recipe to publish again (no training)
  int threads = -1;
  int steps = -1;
  bool json = false;
};

// At most maxPoints points: means over equal runs of consecutive points (a 10,000-step loss curve
// stays readable and the SVG small).
std::vector<std::pair<double, double>> binned(const std::vector<MetricRow>& rows, std::size_t maxPoints, double xScale) {
  std::vector<std::pair<double, double>> out;
  const std::size_t per = std::max<std::size_t>(1, (rows.size() + maxPoints - 1) / maxPoints);
  for (std::size_t i = 0; i < rows.size(); i += per) {
    double x = 0, y = 0;
    const std::size_t end = std::min(rows.size(), i + per);
    for (std::size_t k = i; k < end; ++k) x += static_cast<double>(rows[k].tokens), y += rows[k].value;
    out.emplace_back(x / static_cast<double>(end - i) * xScale, y / static_cast<double>(end - i));
  }
  return out;
}

void writeCurve(const RunStore& store, const std::string& runId, const PretrainRecipe& recipe) {
  std::vector<ChartSeries> series;
  series.push_back({"training loss", binned(store.metrics(runId, "train/loss"), 400, 1e-6), "", false});
  series.push_back({"held-out loss", binned(store.metrics(runId, "val/loss"), 400, 1e-6), "", true});
  ChartOptions o;
  o.title = recipe.name + ": causal-LM loss";
  o.xLabel = "tokens seen (millions)";
  o.yLabel = "cross-entropy (nats per token)";
  writeFileAtomically(recipe.curveOut, renderSvgLineChart(series, o));
}

std::string manifestFingerprint(const PretrainRecipe& recipe) {
  const fs::path manifest = fs::path(recipe.config.data.train).parent_path() / "manifest.json";
  if (!fs::exists(manifest)) return {};
  const auto j = json::parse(readWholeFile(manifest), nullptr, false);
  return j.is_object() && j.contains("fingerprint") && j["fingerprint"].is_string() ? j["fingerprint"].get<std::string>() : std::string();
}

int publish(const PretrainRecipe& recipe, const RunRecord& run, const TrainSummary& summary, bool asJson) {
  std::FILE* human = asJson ? stderr : stdout;
  RunStore store(studioHome());
  ExportOptions o;
  o.format = ExportFormat::HuggingFace;
  o.dtype = *exportDtypeFromName(recipe.dtype);
  o.out = recipe.modelOut;
  o.card.title = recipe.name;
  o.card.runId = run.id;
  o.card.runName = run.name;
  o.card.task = "lm";
  o.card.method = "pretrain";
  o.card.datasetFingerprint = run.datasetFingerprint;
  o.card.metrics = store.finalMetrics(run.id);
  o.card.toolVersion = std::string("ftstudio ") + FTS_VERSION;
  o.progress = [&](const std::string& stage) { std::fprintf(human, "publishing: %s...\n", stage.c_str()); };
  const ExportResult exported = exportModel(run.dir, o);
  std::fprintf(human, "published %s (%s): verified, max |logit difference| %.3g (tolerance %.3g)\n", exported.out.c_str(),
               recipe.dtype.c_str(), exported.verification.maxAbsDiff, exported.verification.tolerance);

  // The held-out perplexity of what ships (its dtype), measured as pretraining measured it.
  json heldOut;
  if (!recipe.config.data.validation.empty()) {
    std::fprintf(human, "measuring held-out perplexity on %s...\n", recipe.config.data.validation.c_str());
    data::LoadOptions lo;
    lo.task = data::DataTask::LanguageModel;
    const Evaluation ev = RunModel::load(exported.out).evaluate(recipe.config.data.validation, lo, recipe.config.data.max_len, true);
    heldOut = {{"file", fs::relative(recipe.config.data.validation, recipe.path.parent_path()).string()},
               {"fingerprint", data::fingerprintFile(recipe.config.data.validation)},
               {"texts", ev.samples},
               {"loss", ev.metrics.at("loss")},
               {"perplexity", ev.metrics.at("perplexity")},
               {"weights", recipe.dtype}};
    std::fprintf(human, "held-out perplexity (%s weights, blocks of %d tokens): %.2f\n", recipe.dtype.c_str(), recipe.config.data.max_len,
                 ev.metrics.at("perplexity"));
  }
  writeCurve(store, run.id, recipe);

  json report;
  report["name"] = recipe.name;
  report["recipe"] = fs::relative(recipe.path, recipe.path.parent_path()).string();
  report["recipe_fingerprint"] = data::fingerprintFile(recipe.path);
  report["corpus"] = {{"train", fs::relative(recipe.config.data.train, recipe.path.parent_path()).string()},
                      {"train_fingerprint", data::fingerprintFile(recipe.config.data.train)},
                      {"manifest_fingerprint", manifestFingerprint(recipe)}};
  report["run"] = run.id;
  report["steps"] = summary.steps;
  report["tokens"] = summary.tokens;
  report["seconds"] = summary.seconds;
  report["tokens_per_s"] = summary.seconds > 0 ? static_cast<double>(summary.tokens) / summary.seconds : 0.0;
  report["threads"] = recipe.config.train.threads > 0 ? recipe.config.train.threads : availableCores();
  report["final_metrics_fp32"] = store.finalMetrics(run.id);
  report["held_out"] = heldOut;
  report["model"] = {{"folder", fs::relative(exported.out, recipe.path.parent_path()).string()},
                     {"dtype", recipe.dtype},
                     {"files", exported.files},
                     {"verification_max_abs_diff", exported.verification.maxAbsDiff}};
  report["curve"] = fs::relative(recipe.curveOut, recipe.path.parent_path()).string();
  report["ftstudio"] = FTS_VERSION;
  report["published_at"] = utcNowIso8601();
  writeFileAtomically(recipe.reportOut, report.dump(2) + "\n");
  std::fprintf(human, "report %s, curve %s\n", recipe.reportOut.c_str(), recipe.curveOut.c_str());
  if (asJson) std::cout << report.dump() << std::endl;
  return 0;
}

int runPretrain(const PretrainArgs& a) {
  PretrainRecipe recipe;
  try {
    recipe = PretrainRecipe::load(a.recipe);
    if (a.threads >= 0) recipe.config.train.threads = a.threads;
    if (a.steps >= 0) recipe.config.train.steps = a.steps;
    for (const std::string& f : {recipe.config.data.train, recipe.config.data.validation})
      if (!f.empty() && !fs::exists(f))
        throw std::invalid_argument(f + ": the corpus is missing" +
                                    (recipe.prepareScript.empty() ? std::string() : ": make it first with " + recipe.prepareScript.string()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftstudio pretrain: %s\n", e.what());
    return 2;
  }
  std::FILE* human = a.json ? stderr : stdout;
  RunStore store(studioHome());
  RunRecord run;
  if (!a.resume.empty() || !a.publish.empty()) {
    const std::string id = a.resume.empty() ? a.publish : a.resume;
    const auto found = store.findRun(id);
    if (!found) {
      std::fprintf(stderr, "ftstudio pretrain: no run '%s' (see `ftstudio runs list`)\n", id.c_str());
      return 2;
    }
    run = *found;
  } else {
    run = store.beginRun(recipe.name, "lm", "", recipe.config.toJson());
  }

  TrainSummary summary;
  if (a.publish.empty()) {
    std::fprintf(human, "%s run %s (%s)\n", a.resume.empty() ? "pretraining" : "resuming", run.id.c_str(), run.dir.c_str());
    Trainer trainer(recipe.config, RunContext{run.id, run.dir, studioHome(), /*resume=*/!a.resume.empty()});
    summary = runWithProgress(trainer, human);
    if (summary.state != TrainerState::Finished) {
      std::fprintf(human, "%s after %lld steps: %s\n", toString(summary.state), static_cast<long long>(summary.steps), summary.reason.c_str());
      if (summary.state == TrainerState::Stopped)
        std::fprintf(human, "continue with: ftstudio pretrain --recipe %s --resume %s\n", a.recipe.c_str(), run.id.c_str());
      return summary.state == TrainerState::Failed ? 1 : 0;
    }
  } else {
    // Publishing again: the figures of the finished run from the store.
    const auto rows = store.metrics(run.id, "train/loss");
    if (run.status != "finished" || rows.empty()) {
      std::fprintf(stderr, "ftstudio pretrain: run %s has not finished (status %s): nothing to publish\n", run.id.c_str(), run.status.c_str());
      return 2;
    }
    summary.steps = rows.back().step;
    summary.tokens = rows.back().tokens;
    summary.seconds = rows.back().wallSeconds;
  }
  try {
    return publish(recipe, *store.findRun(run.id), summary, a.json);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftstudio pretrain: publishing failed: %s (the trained run stays in %s; retry with --publish %s)\n", e.what(),
                 run.dir.c_str(), run.id.c_str());
    return 1;
  }
}

}  // namespace

void addPretrainCommand(CLI::App& app, int& exitCode) {
  static PretrainArgs args;
  auto* cmd = app.add_subcommand("pretrain", "Pretrain a causal LM from scratch as a recipe says, then publish it as a model folder");
  cmd->add_option("--recipe", args.recipe, "Recipe file (*.recipe.json)")->required()->check(CLI::ExistingFile);
  auto* resume = cmd->add_option("--resume", args.resume, "Continue a stopped run of this recipe, then publish it");
  cmd->add_option("--publish", args.publish, "Publish a finished run of this recipe again (no training)")->excludes(resume);
  cmd->add_option("--threads", args.threads, "CPU threads (default: the recipe's, else all cores)");
  cmd->add_option("--steps", args.steps, "Override train.steps (a short try of the recipe)");
  cmd->add_flag("--json", args.json, "Print the report as one JSON object on stdout");
  cmd->callback([&] { exitCode = runPretrain(args); });
}

}  // namespace fts::cli
