#include "core/train/RunReporting.h"

#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

namespace fts {

void logLine(RunRecorder& events, const std::string& message, LogEvent::Level level) { events.push(LogEvent{level, message}); }

EvalReportEvent makeEvalReportEvent(const std::string& split, std::int64_t step, double epoch, const std::vector<std::string>& labels,
                                    const ClassificationReport& rep) {
  EvalReportEvent e;
  e.split = split;
  e.step = step;
  e.epoch = epoch;
  e.labels = labels;
  e.precision = rep.precision;
  e.recall = rep.recall;
  e.f1 = rep.f1;
  e.support = rep.support;
  e.confusion = rep.confusion;
  e.accuracy = rep.accuracy;
  e.macroF1 = rep.macroF1;
  e.weightedF1 = rep.weightedF1;
  return e;
}

std::unique_ptr<RunStore> openRunStore(const std::filesystem::path& home, EventQueue& queue) {
  if (home.empty()) return nullptr;
  try {
    return std::make_unique<RunStore>(home);
  } catch (const std::exception& e) {
    queue.push(LogEvent{LogEvent::Level::Warning, std::string("run store unavailable, metrics stay in the run folder only: ") + e.what()});
    return nullptr;
  }
}

void recordFinalMetrics(RunRecorder& events, const RunContext& run, const TrainSummary& summary) {
  nlohmann::ordered_json metrics(summary.metrics);
  writeFileAtomically(run.runDir / "metrics.json", metrics.dump(2) + "\n");
  if (RunStore* store = events.store()) {
    try {
      events.flush();
      store->setFinalMetrics(run.runId, summary.metrics);
    } catch (const std::exception& e) {
      logLine(events, std::string("run store: final metrics not recorded: ") + e.what(), LogEvent::Level::Warning);
    }
  }
}

}  // namespace fts
