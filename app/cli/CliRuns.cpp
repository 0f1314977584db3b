#include "app/cli/CliRuns.h"

#include "core/runs/RunPaths.h"
#include "core/runs/RunStore.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

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
  std::printf("%-20s  %-24s  %-4s  %-9s  %-20s  %s\n", "RUN", "NAME", "TASK", "STATUS", "CREATED", "RESULT");
  for (const auto& r : runs)
    std::printf("%-20s  %-24.24s  %-4s  %-9s  %-20s  %s\n", r.id.c_str(), r.name.c_str(), r.task.c_str(), r.status.c_str(),
                r.createdAt.c_str(), headline(store.finalMetrics(r.id)).c_str());
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
