#include "core/train/BaselineJob.h"

#include "core/baseline/TextClassBaseline.h"
#include "core/data/DataIssue.h"
#include "core/train/JobFailed.h"
#include "core/train/RunData.h"
#include "core/train/RunReporting.h"
#include "core/util/AtomicFile.h"
#include "core/util/Clock.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fts {
namespace {

struct Scored {
  ClassificationReport report;
  double loss = 0;  // mean negative log-likelihood of the true class
};

Scored score(const TextClassBaseline& model, const data::Dataset& ds, const std::vector<std::size_t>& rows,
             const std::map<std::string, int>& labelIds) {
  std::vector<int> truth, predicted;
  double nll = 0;
  for (std::size_t r : rows) {
    const auto p = model.probabilities(ds.samples[r].text);
    const int t = labelIds.at(ds.samples[r].label);
    truth.push_back(t);
    predicted.push_back(static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()));
    nll -= std::log(std::max(p[static_cast<std::size_t>(t)], 1e-12));
  }
  Scored s;
  s.report = classificationReport(truth, predicted, static_cast<int>(model.classNames().size()));
  s.loss = rows.empty() ? 0 : nll / static_cast<double>(rows.size());
  return s;
}

}  // namespace

bool isBaselineRun(const TrainConfig& config) { return config.model.type == "bow" || config.model.type == "majority"; }

TrainSummary runBaselineJob(const TrainConfig& cfg, const RunContext& run, TrainerControl& control, EventQueue& queue) {
  RunRecorder events(openRunStore(run.storeHome, queue), run.runId, queue, run.runDir);
  TrainSummary summary;
  summary.runId = run.runId;
  summary.runDir = run.runDir;
  summary.task = "cls";
  const double t0 = monotonicSeconds();
  auto finish = [&](TrainerState state, std::string reason) {
    summary.state = state;
    summary.reason = std::move(reason);
    summary.seconds = monotonicSeconds() - t0;
    events.push(StateEvent{state, summary.reason});
    return summary;
  };
  events.push(StateEvent{TrainerState::Preparing, {}});
  try {
    BaselineKind kind;
    if (!parseBaselineKind(cfg.model.type, kind)) throw JobFailed("model.type must be llama, bow or majority, not '" + cfg.model.type + "'");
    if (cfg.task == "lm") throw JobFailed("baselines classify texts; a causal language model needs model.type llama");
    if (run.resume) throw JobFailed("a baseline trains in one pass: there is nothing to resume; start it again");
    TrainConfig clsConfig = cfg;
    clsConfig.task = "cls";  // unlabelled text is an error below, not a language model
    const RunData rd = loadRunData(clsConfig, run.runDir, false, events);
    if (events.store()) {
      events.store()->setDatasetFingerprint(run.runId, rd.fingerprint);
      events.store()->setTask(run.runId, "cls");
    }
    writeFileAtomically(run.runDir / "train_config.json", cfg.toJson());
    events.push(StateEvent{TrainerState::Running, {}});
    std::vector<std::string> texts;
    std::vector<int> labels;
    for (std::size_t r : rd.trainRows) {
      texts.push_back(rd.train.samples[r].text);
      labels.push_back(rd.labelIds.at(rd.train.samples[r].label));
    }
    TextClassBaseline model = TextClassBaseline::train(kind, texts, labels, rd.labels);
    const data::Dataset& val = rd.validationSource();
    if (kind == BaselineKind::BagOfWords) {
      logLine(events, "bag of words: " + std::to_string(model.vocabularySize()) + " word and word-pair features from " +
                          std::to_string(texts.size()) + " texts");
      // The smoothing strength is the one setting: chosen on the validation split, as a user would.
      if (!rd.valRows.empty()) {
        double bestAlpha = 1.0, bestAccuracy = -1;
        for (double alpha : {0.01, 0.03, 0.1, 0.3, 1.0}) {
          model.setAlpha(alpha);
          const double acc = score(model, val, rd.valRows, rd.labelIds).report.accuracy;
          if (acc > bestAccuracy) bestAccuracy = acc, bestAlpha = alpha;
        }
        model.setAlpha(bestAlpha);
        logLine(events, "smoothing alpha " + std::to_string(bestAlpha).substr(0, 4) + " (best validation accuracy of 0.01, 0.03, 0.1, 0.3, 1)");
      }
    } else {
      logLine(events, "majority class: '" + model.classNames()[static_cast<std::size_t>(model.predict(""))] + "'");
    }
    writeFileAtomically(run.runDir / "baseline.json", model.toJson());
    if (events.store()) events.store()->addArtifact(run.runId, "baseline", (run.runDir / "baseline.json").string());
    const double wall = monotonicSeconds() - t0;
    const std::int64_t step = 1;
    events.push(ProgressEvent{step, step, 1.0, 0, wall, 0, 0});
    if (!rd.valRows.empty() && !control.stop) {
      const Scored v = score(model, val, rd.valRows, rd.labelIds);
      events.push(MetricEvent{"val/loss", step, 1.0, 0, wall, v.loss});
      events.push(MetricEvent{"val/accuracy", step, 1.0, 0, wall, v.report.accuracy});
      events.push(MetricEvent{"val/macro_f1", step, 1.0, 0, wall, v.report.macroF1});
      events.push(makeEvalReportEvent("validation", step, 1.0, rd.labels, v.report));
      summary.metrics["val_loss"] = v.loss;
      summary.metrics["accuracy"] = v.report.accuracy;
      summary.metrics["macro_f1"] = v.report.macroF1;
      summary.metrics["weighted_f1"] = v.report.weightedF1;
      if (events.store()) events.store()->setBest(run.runId, "accuracy", v.report.accuracy, step);
    }
    if (!cfg.data.test.empty() && !control.stop) {
      const data::Dataset test = loadCompanionFile(cfg.data.test, rd, run.runDir, events);
      std::vector<std::size_t> rows(test.samples.size());
      std::iota(rows.begin(), rows.end(), std::size_t{0});
      const Scored t = score(model, test, rows, rd.labelIds);
      summary.metrics["test_loss"] = t.loss;
      summary.metrics["test_accuracy"] = t.report.accuracy;
      summary.metrics["test_macro_f1"] = t.report.macroF1;
      events.push(makeEvalReportEvent("test", step, 1.0, rd.labels, t.report));
      logLine(events, "test set " + cfg.data.test + ": " + std::to_string(rows.size()) + " samples evaluated");
    }
    summary.steps = step;
    recordFinalMetrics(events, run, summary);
    if (control.stop) return finish(TrainerState::Stopped, "stopped by the user");
    return finish(TrainerState::Finished, "");
  } catch (const data::DataError& e) {
    logLine(events, e.what(), LogEvent::Level::Error);
    return finish(TrainerState::Failed, e.what());
  } catch (const std::exception& e) {
    logLine(events, e.what(), LogEvent::Level::Error);
    return finish(TrainerState::Failed, e.what());
  }
}

}  // namespace fts
