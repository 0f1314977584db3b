#include "app/cli/CliRuns.h"

#include "core/data/Utf8.h"
#include "core/runs/EvalReport.h"
#include "core/runs/RunPaths.h"
#include "core/runs/RunStore.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <set>

namespace fts::cli {
namespace {

using json = nlohmann::ordered_json;

json runToJson(const RunStore& store, const RunRecord& r) {
  json j;
  j["run"] = r.id;
  j["name"] = r.name;
  j["task"] = r.task;
  if (!r.method.empty()) j["method"] = r.method;
  j["status"] = r.status;
  if (!r.reason.empty()) j["reason"] = r.reason;
  j["created_at"] = r.createdAt;
  j["finished_at"] = r.finishedAt;
  j["dir"] = r.dir;
  if (!r.datasetFingerprint.empty()) j["dataset_fingerprint"] = r.datasetFingerprint;
  if (!r.baseModel.empty()) j["base_model"] = r.baseModel;
  if (!r.bestMetricName.empty()) j["best"] = {{"metric", r.bestMetricName}, {"value", r.bestMetric}, {"step", r.bestStep}};
  j["metrics"] = store.finalMetrics(r.id);
  return j;
}

RunRecord requireRun(const RunStore& store, const std::string& id) {
  auto r = store.findRun(id);
  if (!r) throw std::invalid_argument("no run '" + id + "' (see `ftstudio runs list`)");
  return *r;
}

// Dotted keys -> values, for diffs.
void flatten(const json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) flatten(*it, prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else {
    out[prefix] = j.dump();
  }
}

std::string headline(const std::map<std::string, double>& m) {
  for (const char* key : {"accuracy", "perplexity", "val_loss"}) {
    auto it = m.find(key);
    if (it != m.end()) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s %.4f", key, it->second);
      return buf;
    }
  }
  return "";
}

// Terminal columns of a UTF-8 string: CJK characters take two, everything else one (combining
// marks and other rarities are not worth a width table here).
std::size_t columns(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) w += data::isCjk(data::decodeUtf8(s, i)) ? 2 : 1;
  return w;
}

// s cut to at most `width` columns (at a character boundary, "~" marking the cut) and padded with
// spaces to exactly `width`, so tables line up with Chinese class names too.
std::string fit(std::string_view s, std::size_t width) {
  std::string out;
  if (columns(s) > width) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size();) {
      const std::size_t start = i;
      const std::size_t cw = data::isCjk(data::decodeUtf8(s, i)) ? 2 : 1;
      if (w + cw > width - 1) break;
      out.append(s.substr(start, i - start));
      w += cw;
    }
    out += "~";
  } else {
    out = s;
  }
  out.append(width - columns(out), ' ');
  return out;
}

void printEvalReport(const EvalReportEvent& r) {
  if (r.split == "validation")
    std::printf("\nvalidation report (step %lld, epoch %.2f)", static_cast<long long>(r.step), r.epoch);
  else if (r.split == "test")
    std::printf("\ntest report (after the run, step %lld)", static_cast<long long>(r.step));
  else
    std::printf("\n%s report (step %lld)", r.split.c_str(), static_cast<long long>(r.step));
  std::printf(": accuracy %.4f, macro-F1 %.4f, weighted-F1 %.4f\n", r.accuracy, r.macroF1, r.weightedF1);
  std::size_t nameWidth = 12;
  for (const auto& l : r.labels) nameWidth = std::max(nameWidth, std::min<std::size_t>(columns(l), 24));
  std::printf("  %s %9s %9s %9s %8s\n", fit("class", nameWidth).c_str(), "precision", "recall", "f1", "support");
  for (size_t c = 0; c < r.labels.size(); ++c)
    std::printf("  %s %9.4f %9.4f %9.4f %8ld\n", fit(r.labels[c], nameWidth).c_str(), r.precision[c], r.recall[c], r.f1[c],
                r.support[c]);
  const ClassAverages macro = macroAverages(r), weighted = weightedAverages(r);
  std::printf("  %s %9.4f %9.4f %9.4f %8ld\n", fit("macro avg", nameWidth).c_str(), macro.precision, macro.recall, r.macroF1,
              macro.support);
  std::printf("  %s %9.4f %9.4f %9.4f %8ld\n", fit("weighted avg", nameWidth).c_str(), weighted.precision, weighted.recall,
              r.weightedF1, weighted.support);

  // Columns are numbered rather than named: eight or more class names never fit side by side.
  long largest = 0;
  for (const auto& row : r.confusion)
    for (long v : row) largest = std::max(largest, v);
  const int cell = std::max(static_cast<int>(std::to_string(std::max<long>(largest, static_cast<long>(r.labels.size()))).size()) + 1, 4);
  const int indexWidth = static_cast<int>(std::to_string(r.labels.size()).size());
  std::printf("  confusion matrix (rows: true class, columns: predicted class, numbered as the rows)\n");
  std::printf("  %*s %s", indexWidth, "", fit("", nameWidth).c_str());
  for (size_t c = 0; c < r.labels.size(); ++c) std::printf("%*zu", cell, c + 1);
  std::printf("\n");
  for (size_t t = 0; t < r.confusion.size(); ++t) {
    std::printf("  %*zu %s", indexWidth, t + 1, fit(r.labels[t], nameWidth).c_str());
    for (long v : r.confusion[t]) std::printf("%*ld", cell, v);
    std::printf("\n");
  }
}

int runList(bool asJson) {
  RunStore store(studioHome());
  const auto runs = store.listRuns();
  if (asJson) {
    json arr = json::array();
    for (const auto& r : runs) arr.push_back(runToJson(store, r));
    std::cout << arr.dump() << std::endl;
    return 0;
  }
  if (runs.empty()) {
    std::printf("no runs yet in %s\n", store.databasePath().c_str());
    return 0;
  }
  std::printf("%-20s  %-24s  %-4s  %-8s  %-9s  %-20s  %s\n", "RUN", "NAME", "TASK", "METHOD", "STATUS", "CREATED", "RESULT");
  for (const auto& r : runs)
    std::printf("%-20s  %-24.24s  %-4s  %-8s  %-9s  %-20s  %s\n", r.id.c_str(), r.name.c_str(), r.task.c_str(), r.method.c_str(),
                r.status.c_str(), r.createdAt.c_str(), headline(store.finalMetrics(r.id)).c_str());
  return 0;
}

int runShow(const std::string& id, bool asJson) {
  RunStore store(studioHome());
  const RunRecord r = requireRun(store, id);
  json j = runToJson(store, r);
  j["config"] = json::parse(store.config(r.id), nullptr, false);
  j["series"] = store.metricNames(r.id);
  json arts = json::array();
  for (const auto& [kind, path] : store.artifacts(r.id)) arts.push_back({{"kind", kind}, {"path", path}});
  j["artifacts"] = arts;
  // Per-class figures and confusion matrices: validation (newest) and test, when the run has them.
  std::map<std::string, EvalReportEvent> reports;
  try {
    reports = loadEvalReports(r.dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warning: %s\n", e.what());  // the rest of the run is still worth showing
  }
  if (!reports.empty()) {
    json rep = json::object();
    for (const char* split : {"validation", "test"})
      if (reports.count(split)) rep[split] = evalReportToJson(reports.at(split));
    for (const auto& [split, report] : reports)
      if (!rep.contains(split)) rep[split] = evalReportToJson(report);
    j["eval_report"] = rep;
  }
  if (asJson) {
    std::cout << j.dump() << std::endl;
    return 0;
  }
  std::printf("run       %s\nname      %s\ntask      %s\nstatus    %s%s%s\ncreated   %s\nfinished  %s\nfolder    %s\n",
              r.id.c_str(), r.name.c_str(), r.task.c_str(), r.status.c_str(), r.reason.empty() ? "" : ": ",
              r.reason.c_str(), r.createdAt.c_str(), r.finishedAt.c_str(), r.dir.c_str());
  if (!r.bestMetricName.empty())
    std::printf("best      %s %.4f at step %lld\n", r.bestMetricName.c_str(), r.bestMetric, static_cast<long long>(r.bestStep));
  std::printf("metrics\n");
  for (const auto& [k, v] : store.finalMetrics(r.id)) std::printf("  %-16s %.6g\n", k.c_str(), v);
  std::printf("series    ");
  for (const auto& n : store.metricNames(r.id)) std::printf("%s ", n.c_str());
  std::printf("\n");
  for (const char* split : {"validation", "test"})
    if (reports.count(split)) printEvalReport(reports.at(split));
  for (const auto& [split, report] : reports)
    if (split != "validation" && split != "test") printEvalReport(report);
  std::printf("\nconfig\n%s", store.config(r.id).c_str());
  return 0;
}

int runDiff(const std::string& a, const std::string& b, bool asJson) {
  RunStore store(studioHome());
  const RunRecord ra = requireRun(store, a), rb = requireRun(store, b);
  std::map<std::string, std::string> ca, cb;
  flatten(json::parse(store.config(ra.id), nullptr, false), "", ca);
  flatten(json::parse(store.config(rb.id), nullptr, false), "", cb);
  std::set<std::string> keys;
  for (const auto& [k, v] : ca) keys.insert(k);
  for (const auto& [k, v] : cb) keys.insert(k);
  const auto ma = store.finalMetrics(ra.id), mb = store.finalMetrics(rb.id);
  std::set<std::string> metricKeys;
  for (const auto& [k, v] : ma) metricKeys.insert(k);
  for (const auto& [k, v] : mb) metricKeys.insert(k);
  if (asJson) {
    json j;
    j["a"] = ra.id;
    j["b"] = rb.id;
    json cfg = json::object();
    for (const auto& k : keys) {
      const std::string va = ca.count(k) ? ca[k] : "", vb = cb.count(k) ? cb[k] : "";
      if (va != vb) cfg[k] = {{"a", json::parse(va.empty() ? "null" : va)}, {"b", json::parse(vb.empty() ? "null" : vb)}};
    }
    j["config"] = cfg;
    json met = json::object();
    for (const auto& k : metricKeys)
      met[k] = {{"a", ma.count(k) ? json(ma.at(k)) : json()}, {"b", mb.count(k) ? json(mb.at(k)) : json()}};
    j["metrics"] = met;
    std::cout << j.dump() << std::endl;
    return 0;
  }
  std::printf("%-24s  %-20s  %-20s\n", "", ra.id.c_str(), rb.id.c_str());
  int differing = 0;
  for (const auto& k : keys) {
    const std::string va = ca.count(k) ? ca[k] : "-", vb = cb.count(k) ? cb[k] : "-";
    if (va == vb) continue;
    ++differing;
    std::printf("%-24s  %-20s  %-20s\n", k.c_str(), va.c_str(), vb.c_str());
  }
  if (differing == 0) std::printf("(same configuration)\n");
  std::printf("\n");
  for (const auto& k : metricKeys) {
    auto fmt = [](const std::map<std::string, double>& m, const std::string& key) {
      char buf[32] = "-";
      if (m.count(key)) std::snprintf(buf, sizeof buf, "%.4f", m.at(key));
      return std::string(buf);
    };
    std::printf("%-24s  %-20s  %-20s\n", k.c_str(), fmt(ma, k).c_str(), fmt(mb, k).c_str());
  }
  return 0;
}

int runRemove(const std::vector<std::string>& ids) {
  RunStore store(studioHome());
  for (const auto& id : ids) {
    const RunRecord r = requireRun(store, id);
    store.removeRun(r.id);
    std::printf("removed %s\n", r.id.c_str());
  }
  return 0;
}

// Runs a command body, turning exceptions into a one-line message and exit status 2.
template <typename Fn>
void guarded(int& exitCode, const char* what, Fn fn) {
  try {
    exitCode = fn();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftstudio %s: %s\n", what, e.what());
    exitCode = 2;
  }
}

}  // namespace

void addRunsCommands(CLI::App& app, int& exitCode) {
  auto* runs = app.add_subcommand("runs", "List, show, compare and remove runs");
  runs->require_subcommand(1);
  static bool listJson = false, showJson = false, diffJson = false;
  static std::string showId, diffA, diffB;
  static std::vector<std::string> rmIds;

  auto* list = runs->add_subcommand("list", "List runs, newest first");
  list->add_flag("--json", listJson, "Print a JSON array");
  list->callback([&] { guarded(exitCode, "runs list", [] { return runList(listJson); }); });

  auto* show = runs->add_subcommand("show", "Show one run: status, metrics, config");
  show->add_option("RUN", showId, "Run id (or a unique prefix)")->required();
  show->add_flag("--json", showJson, "Print one JSON object");
  show->callback([&] { guarded(exitCode, "runs show", [] { return runShow(showId, showJson); }); });

  auto* diff = runs->add_subcommand("diff", "Compare two runs: settings that differ and final metrics");
  diff->add_option("A", diffA, "First run")->required();
  diff->add_option("B", diffB, "Second run")->required();
  diff->add_flag("--json", diffJson, "Print one JSON object");
  diff->callback([&] { guarded(exitCode, "runs diff", [] { return runDiff(diffA, diffB, diffJson); }); });

  auto* rm = runs->add_subcommand("rm", "Remove runs and their folders");
  rm->add_option("RUN", rmIds, "Run ids")->required();
  rm->callback([&] { guarded(exitCode, "runs rm", [] { return runRemove(rmIds); }); });
}

}  // namespace fts::cli
