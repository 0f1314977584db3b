#include "core/runs/EvalReport.h"

#include "core/util/AtomicFile.h"

#include <stdexcept>

namespace fts {

ClassAverages macroAverages(const EvalReportEvent& r) {
  ClassAverages a;
  int present = 0;
  for (size_t c = 0; c < r.support.size(); ++c) {
    a.support += r.support[c];
    if (r.support[c] <= 0) continue;  // a class absent from the set has no recall to average
    ++present;
    a.precision += r.precision.at(c);
    a.recall += r.recall.at(c);
    a.f1 += r.f1.at(c);
  }
  if (present > 0) {
    a.precision /= present;
    a.recall /= present;
    a.f1 /= present;
  }
  return a;
}

ClassAverages weightedAverages(const EvalReportEvent& r) {
  ClassAverages a;
  for (size_t c = 0; c < r.support.size(); ++c) {
    const auto w = static_cast<double>(r.support[c]);
    a.support += r.support[c];
    a.precision += r.precision.at(c) * w;
    a.recall += r.recall.at(c) * w;
    a.f1 += r.f1.at(c) * w;
  }
  if (a.support > 0) {
    const auto n = static_cast<double>(a.support);
    a.precision /= n;
    a.recall /= n;
    a.f1 /= n;
  }
  return a;
}

nlohmann::ordered_json evalReportToJson(const EvalReportEvent& r) {
  nlohmann::ordered_json j;
  j["split"] = r.split;
  j["step"] = r.step;
  j["epoch"] = r.epoch;
  j["accuracy"] = r.accuracy;
  j["macro_f1"] = r.macroF1;
  j["weighted_f1"] = r.weightedF1;
  j["labels"] = r.labels;
  nlohmann::ordered_json per = nlohmann::ordered_json::object();
  for (size_t c = 0; c < r.labels.size(); ++c)
    per[r.labels[c]] = {{"precision", r.precision.at(c)}, {"recall", r.recall.at(c)}, {"f1", r.f1.at(c)}, {"support", r.support.at(c)}};
  j["per_class"] = per;
  j["confusion"] = r.confusion;  // [true][predicted]
  return j;
}

EvalReportEvent evalReportFromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("an evaluation report must be a JSON object");
  EvalReportEvent r;
  try {
    r.split = j.at("split").get<std::string>();
    r.step = j.at("step").get<std::int64_t>();
    r.epoch = j.value("epoch", 0.0);
    r.accuracy = j.at("accuracy").get<double>();
    r.macroF1 = j.at("macro_f1").get<double>();
    r.weightedF1 = j.at("weighted_f1").get<double>();
    r.labels = j.at("labels").get<std::vector<std::string>>();
    const auto& per = j.at("per_class");
    for (const auto& label : r.labels) {
      const auto& c = per.at(label);
      r.precision.push_back(c.at("precision").get<double>());
      r.recall.push_back(c.at("recall").get<double>());
      r.f1.push_back(c.at("f1").get<double>());
      r.support.push_back(c.at("support").get<long>());
    }
    r.confusion = j.at("confusion").get<std::vector<std::vector<long>>>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("evaluation report: ") + e.what());
  }
  if (r.confusion.size() != r.labels.size())
    throw std::runtime_error("evaluation report: the confusion matrix has " + std::to_string(r.confusion.size()) + " rows for " +
                             std::to_string(r.labels.size()) + " labels");
  for (const auto& row : r.confusion)
    if (row.size() != r.labels.size())
      throw std::runtime_error("evaluation report: a confusion matrix row has " + std::to_string(row.size()) + " columns for " +
                               std::to_string(r.labels.size()) + " labels");
  return r;
}

void storeEvalReport(const std::filesystem::path& runDir, const EvalReportEvent& r) {
  const auto file = runDir / kEvalReportFile;
  // Keep the other split's report (a resumed run, or the test report after the last validation).
  // Whatever in the old file does not read as a report is dropped rather than blocking the new one.
  std::map<std::string, nlohmann::ordered_json> kept;
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    const auto old = nlohmann::ordered_json::parse(readWholeFile(file), nullptr, /*allow_exceptions=*/false);
    if (old.is_object())
      for (auto it = old.begin(); it != old.end(); ++it) {
        try {
          evalReportFromJson(it.value());
          kept[it.key()] = it.value();
        } catch (const std::exception&) {
        }
      }
  }
  kept[r.split] = evalReportToJson(r);
  // Validation first, then test, then anything else.
  nlohmann::ordered_json all = nlohmann::ordered_json::object();
  for (const char* split : {"validation", "test"})
    if (kept.count(split)) all[split] = kept[split];
  for (const auto& [split, j] : kept)
    if (!all.contains(split)) all[split] = j;
  writeFileAtomically(file, all.dump(2) + "\n");
}

std::map<std::string, EvalReportEvent> loadEvalReports(const std::filesystem::path& runDir) {
  const auto file = runDir / kEvalReportFile;
  std::map<std::string, EvalReportEvent> out;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return out;
  const auto j = nlohmann::json::parse(readWholeFile(file), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error(file.string() + ": not a JSON object; delete it or re-run the evaluation");
  for (auto it = j.begin(); it != j.end(); ++it) {
    try {
      out[it.key()] = evalReportFromJson(it.value());
    } catch (const std::exception& e) {
      throw std::runtime_error(file.string() + ": \"" + it.key() + "\": " + e.what());
    }
  }
  return out;
}

}  // namespace fts
