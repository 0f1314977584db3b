#pragma once
// A classification evaluation (EvalReportEvent) as the run folder keeps it: <run>/eval_report.json
// holds the newest validation report and the test report, each with per-class figures and the
// confusion matrix, so `ftstudio runs show` and the GUI can show them after the run.
// The JSON uses the names of `ftstudio eval --json`: labels, per_class, confusion.
#include "core/train/TrainerEvents.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace fts {

inline constexpr const char* kEvalReportFile = "eval_report.json";

// Averages over classes the way ClassificationReport counts them: macro over the classes that
// occur (support > 0), weighted by support.
struct ClassAverages {
  double precision = 0, recall = 0, f1 = 0;
  long support = 0;
};
ClassAverages macroAverages(const EvalReportEvent& r);
ClassAverages weightedAverages(const EvalReportEvent& r);

nlohmann::ordered_json evalReportToJson(const EvalReportEvent& r);
// Throws std::runtime_error saying what is missing or inconsistent.
EvalReportEvent evalReportFromJson(const nlohmann::json& j);

// Stores `r` under its split in runDir/eval_report.json (written atomically), keeping the other
// split's report already there. Throws std::runtime_error naming the file when it cannot write.
void storeEvalReport(const std::filesystem::path& runDir, const EvalReportEvent& r);

// The reports in runDir/eval_report.json by split ("validation", "test"); empty when the file does
// not exist. Throws std::runtime_error naming the file when it is not a valid report.
std::map<std::string, EvalReportEvent> loadEvalReports(const std::filesystem::path& runDir);

}  // namespace fts
