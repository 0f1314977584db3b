#include "app/cli/CliData.h"

#include "app/cli/CliOverlap.h"

#include "core/data/DatasetLoader.h"
#include "core/data/DatasetProfile.h"
#include "core/data/Duplicates.h"
#include "core/data/Split.h"
#include "core/text/Tokenizer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <tuple>

namespace fts::cli {
namespace {

using Json = nlohmann::ordered_json;

struct InspectArgs {
  std::string file;
  std::string textCol, labelCol, responseCol;
  std::string policy = "skip";
  std::size_t maxFieldBytes = 1u << 20;
  std::string format = "auto";
  std::string task = "auto";
  std::string delimiter;
  std::string tokenizer;
  int maxLen = 128;
  std::string validation, test;
  std::uint64_t seed = 42;
  double valFraction = -1;
  bool json = false;
};

struct Loaded {
  data::LoadResult result;
  std::vector<data::DataIssue> errors;  // when unusable
  bool ok = false;
};

Loaded load(const std::string& file, const data::LoadOptions& options) {
  Loaded l;
  try {
    l.result = data::loadDataset(file, options);
    l.ok = true;
  } catch (const data::DataError& e) {
    l.errors = e.issues();
  }
  return l;
}

Json lengthJson(const data::LengthSummary& s) {
  Json j;
  j["count"] = s.count;
  j["min"] = s.min;
  j["max"] = s.max;
  j["mean"] = s.mean;
  j["p50"] = s.p50;
  j["p90"] = s.p90;
  j["p95"] = s.p95;
  j["p99"] = s.p99;
  Json bins = Json::array();
  for (const auto& b : s.histogram) bins.push_back({b.from, b.to, b.count});
  j["histogram"] = bins;  // [from, to, count], from inclusive, to exclusive
  return j;
}

Json leakageJson(const data::LeakageReport& r, const data::Dataset& train, const data::Dataset& other) {
  Json j;
  j["rows"] = r.rows;
  j["exact"] = r.exact;
  j["normalized"] = r.normalized;
  Json ex = Json::array();
  for (const auto& e : r.examples) ex.push_back({{"row", other.where(e.row)}, {"train", train.where(e.first)}, {"exact", e.exact}});
  j["examples"] = ex;
  return j;
}

std::vector<std::string> formatted(const std::vector<data::DataIssue>& issues) {
  std::vector<std::string> out;
  for (const auto& i : issues) out.push_back(i.format());
  return out;
}

std::string pct(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", share * 100);
  return buf;
}

std::string lengthLine(const data::LengthSummary& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "min %lld, median %lld, mean %.1f, p90 %lld, p99 %lld, max %lld",
                static_cast<long long>(s.min), static_cast<long long>(s.p50), s.mean, static_cast<long long>(s.p90),
                static_cast<long long>(s.p99), static_cast<long long>(s.max));
  return buf;
}

data::LoadOptions loadOptions(const InspectArgs& a) {
  data::LoadOptions o;
  o.textColumn = a.textCol;
  o.labelColumn = a.labelCol;
  o.responseColumn = a.responseCol;
  o.onError = a.policy == "stop" ? data::ErrorPolicy::StopAtFirst : data::ErrorPolicy::SkipAndReport;
  o.maxFieldBytes = a.maxFieldBytes;
  o.format = data::parseDataFormat(a.format).value_or(data::DataFormat::Auto);
  data::parseDataTask(a.task, o.task);
  if (!a.delimiter.empty()) o.delimiter = a.delimiter == "tab" || a.delimiter == "\\t" ? '\t' : a.delimiter[0];
  return o;
}

// Everything `data inspect` reports about a usable file, computed once and printed either way.
struct Report {
  const InspectArgs& args;
  Loaded main;
  std::optional<Loaded> validation, test;
  data::DatasetProfile profile;
  data::Split split;  // the automatic split, when no validation file is given
  std::optional<data::LeakageReport> splitLeak, valLeak, testLeak;
  std::vector<std::string> warnings;
  std::vector<data::DataIssue> skipped;  // of all files read
};

void addWarnings(Report& r) {
  const data::LoadResult& res = r.main.result;
  const data::Dataset& ds = res.dataset;
  r.warnings = formatted(res.warnings);
  for (const auto& w : r.profile.warnings) r.warnings.push_back(w);
  if (!r.split.warning.empty()) r.warnings.push_back(r.split.warning);
  for (const auto& [other, what] : {std::pair{&r.validation, "validation"}, std::pair{&r.test, "test"}}) {
    if (!*other || res.task != data::DataTask::Classification) continue;
    const auto known = ds.classCounts();
    std::string list;
    std::size_t n = 0;
    for (const auto& [label, count] : (*other)->result.dataset.classCounts())
      if (!known.count(label) && n++ < 5) list += (list.empty() ? "'" : ", '") + label + "'";
    if (n > 0)
      r.warnings.push_back(std::string("the ") + what + " file has " + std::to_string(n) + " labels the training data lacks (" +
                           list + (n > 5 ? ", ..." : "") + "): a classifier cannot predict them; check the label spelling");
  }
  for (const auto& [leak, what] : {std::pair{&r.splitLeak, "validation"}, std::pair{&r.valLeak, "validation"},
                                   std::pair{&r.testLeak, "test"}}) {
    if (*leak && (*leak)->normalized > 0)
      r.warnings.push_back(std::to_string((*leak)->normalized) + " of the " + std::to_string((*leak)->rows) + " " + what +
                           " rows also occur in the training rows (" + std::to_string((*leak)->exact) +
                           " exactly): their score measures memory; remove them from one side");
  }
}

void printJson(const Report& r) {
  const data::LoadResult& res = r.main.result;
  const data::Dataset& ds = res.dataset;
  const data::DatasetProfile& p = r.profile;
  Json j;
  j["file"] = r.args.file;
  j["usable"] = true;
  j["format"] = data::toString(res.format);
  j["task"] = data::toString(res.task);
  if (res.delimiter) j["delimiter"] = std::string(1, res.delimiter);
  auto orNull = [](const std::string& s) { return s.empty() ? Json() : Json(s); };
  j["columns"] = {{"text", orNull(res.textColumn)}, {"label", orNull(res.labelColumn)}, {"response", orNull(res.responseColumn)}};
  j["rows"] = p.rows;
  j["rows_read"] = res.rowsRead;
  j["skipped"] = res.skipped.size();
  Json classes = Json::object();
  for (const auto& c : p.classes) classes[c.label] = c.count;
  j["classes"] = classes;
  j["imbalance_ratio"] = p.imbalanceRatio;
  Json examples = Json::array();
  for (const auto& e : p.duplicates.examples)
    examples.push_back({{"row", ds.where(e.row)}, {"first", ds.where(e.first)}, {"exact", e.exact}});
  j["duplicates"] = {{"exact", p.duplicates.exact}, {"normalized", p.duplicates.normalized},
                     {"conflicting_labels", p.duplicates.conflicting}, {"examples", examples}};
  Json tokens = lengthJson(p.tokens);
  tokens["approximate"] = p.tokensApproximate;
  tokens["max_len"] = r.args.maxLen;
  tokens["over_max_len"] = p.tokens.overLimit;
  j["length"] = {{"characters", lengthJson(p.characters)}, {"tokens", tokens}};
  j["cjk_share"] = p.cjkShare;
  j["cjk_rows"] = p.cjkRows;
  if (!r.validation) {
    Json s = {{"train_rows", r.split.train.size()}, {"validation_rows", r.split.validation.size()},
              {"fraction", r.split.fraction}, {"seed", r.split.seed}, {"note", r.split.note}};
    if (r.splitLeak) s["leakage"] = leakageJson(*r.splitLeak, ds, ds);
    j["split"] = s;
  }
  Json leak = Json::object();
  if (r.valLeak) leak["validation"] = leakageJson(*r.valLeak, ds, r.validation->result.dataset);
  if (r.testLeak) leak["test"] = leakageJson(*r.testLeak, ds, r.test->result.dataset);
  if (!leak.empty()) j["leakage"] = leak;
  j["warnings"] = r.warnings;
  j["notes"] = res.notes;
  j["issues"] = formatted(r.skipped);
  std::cout << j.dump(2) << std::endl;
}

void printHuman(const Report& r) {
  const data::LoadResult& res = r.main.result;
  const data::Dataset& ds = res.dataset;
  const data::DatasetProfile& p = r.profile;
  auto ll = [](std::int64_t v) { return static_cast<long long>(v); };
  std::printf("%s\n", r.args.file.c_str());
  for (const auto& n : res.notes) std::printf("  %s\n", n.c_str());
  std::printf("rows: %lld", ll(p.rows));
  if (!res.skipped.empty()) std::printf(" (%lld read, %zu skipped: listed below)", ll(res.rowsRead), res.skipped.size());
  std::printf("\n");
  if (res.task == data::DataTask::Classification) {
    std::printf("classes: %zu (largest/smallest %.1fx)\n", p.classes.size(), p.imbalanceRatio);
    for (const auto& c : p.classes) std::printf("  %-24s %8lld  %6s\n", c.label.c_str(), ll(c.count), pct(c.share).c_str());
  } else {
    std::printf("task: language modelling%s (no labels)\n", ds.paired() ? " on prompt/response pairs" : "");
  }
  std::printf("duplicates: %lld exact, %lld after normalization", ll(p.duplicates.exact), ll(p.duplicates.normalized));
  if (p.duplicates.conflicting) std::printf(", %lld with a different label", ll(p.duplicates.conflicting));
  std::printf("\n");
  for (const auto& e : p.duplicates.examples)
    std::printf("  %s repeats %s%s\n", ds.where(e.row).c_str(), ds.where(e.first).c_str(), e.exact ? "" : " (normalized)");
  std::printf("length in characters: %s\n", lengthLine(p.characters).c_str());
  std::printf("length in tokens%s: %s; %lld over the max length %d\n",
              p.tokensApproximate ? " (approximate: words + CJK characters; give --tokenizer for exact counts)" : "",
              lengthLine(p.tokens).c_str(), ll(p.tokens.overLimit), r.args.maxLen);
  std::printf("CJK: %s of characters, %lld rows mostly CJK\n", pct(p.cjkShare).c_str(), ll(p.cjkRows));
  if (!r.validation) {
    std::printf("%s", r.split.note.c_str());
    if (r.splitLeak) std::printf("; leakage into it: %lld exact, %lld normalized", ll(r.splitLeak->exact), ll(r.splitLeak->normalized));
    std::printf("\n");
  }
  for (const auto& [leak, what, file] : {std::tuple{&r.valLeak, "validation", &r.args.validation},
                                         std::tuple{&r.testLeak, "test", &r.args.test}})
    if (*leak)
      std::printf("%s file %s: %lld rows; leakage from training: %lld exact, %lld normalized\n", what, file->c_str(),
                  ll((*leak)->rows), ll((*leak)->exact), ll((*leak)->normalized));
  if (!r.warnings.empty()) {
    std::printf("warnings:\n");
    for (const auto& w : r.warnings) std::printf("  %s\n", w.c_str());
  }
  if (!r.skipped.empty()) {
    std::printf("skipped %zu row%s:\n", r.skipped.size(), r.skipped.size() == 1 ? "" : "s");
    for (const auto& i : r.skipped) std::printf("%s\n", i.format().c_str());
  }
}

int runInspect(const InspectArgs& a) {
  const data::LoadOptions options = loadOptions(a);
  std::unique_ptr<Tokenizer> tokenizer;
  if (!a.tokenizer.empty()) {
    try {
      tokenizer = loadTokenizer(a.tokenizer);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ftstudio data inspect: %s\n", e.what());
      return 1;
    }
  }

  Report r{a, load(a.file, options), {}, {}, {}, {}, {}, {}, {}, {}, {}};
  // Other files are read with the same options (format detection, columns), as the trainer does.
  if (!a.validation.empty()) r.validation = load(a.validation, options);
  if (!a.test.empty()) r.test = load(a.test, options);

  std::vector<data::DataIssue> errors = r.main.errors;
  for (const auto* other : {&r.validation, &r.test})
    if (*other && !(*other)->ok) errors.insert(errors.end(), (*other)->errors.begin(), (*other)->errors.end());
  if (!errors.empty()) {
    for (const auto& i : errors) std::fprintf(stderr, "%s\n", i.format().c_str());
    if (a.json) {
      Json j = {{"file", a.file}, {"usable", false}, {"errors", formatted(errors)}};
      std::cout << j.dump(2) << std::endl;
    } else {
      std::fprintf(stderr, "ftstudio data inspect: not usable (%zu problem%s above)\n", errors.size(),
                   errors.size() == 1 ? "" : "s");
    }
    return 2;
  }

  const data::Dataset& ds = r.main.result.dataset;
  data::ProfileOptions po;
  po.maxTokens = a.maxLen;
  if (tokenizer) po.countTokens = [&](std::string_view t) { return static_cast<std::int64_t>(tokenizer->encode(t).size()); };
  r.profile = data::profileDataset(ds, po);
  if (!r.validation) {
    r.split = data::splitForValidation(ds, a.valFraction, a.seed);
    if (!r.split.validation.empty()) r.splitLeak = data::findLeakage(ds, r.split.train, ds, r.split.validation);
  } else {
    const auto& v = r.validation->result.dataset;
    r.valLeak = data::findLeakage(ds, data::allRows(ds), v, data::allRows(v));
  }
  if (r.test) {
    const auto& t = r.test->result.dataset;
    r.testLeak = data::findLeakage(ds, data::allRows(ds), t, data::allRows(t));
  }
  r.skipped = r.main.result.skipped;
  for (const auto* other : {&r.validation, &r.test})
    if (*other) r.skipped.insert(r.skipped.end(), (*other)->result.skipped.begin(), (*other)->result.skipped.end());
  addWarnings(r);
  if (a.json) printJson(r);
  else printHuman(r);
  return 0;
}

}  // namespace

void addDataCommands(CLI::App& app, int& exitCode) {
  auto* data = app.add_subcommand("data", "Look at data files: formats, problems, profile");
  data->require_subcommand(1);
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = data->add_subcommand("inspect", "Profile a data file and report every problem as FILE:LINE[:COL]: message");
  cmd->add_option("FILE", args->file, "Data file (CSV, TSV, JSONL, text, fortune) or folder of label subfolders")->required();
  cmd->add_option("--text-col", args->textCol, "Column or field holding the text (default: detected)");
  cmd->add_option("--label-col", args->labelCol, "Column or field holding the label (default: detected)");
  cmd->add_option("--response-col", args->responseCol, "Column or field holding the response of a prompt/response pair");
  cmd->add_option("--policy", args->policy, "On a bad row: stop at the first, or skip it and report every one")
      ->check(CLI::IsMember({"stop", "skip"}))
      ->capture_default_str();
  cmd->add_option("--max-field-bytes", args->maxFieldBytes, "Largest field (or line) accepted, in bytes")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--format", args->format, "Read as this format instead of detecting it")
      ->check(CLI::IsMember({"auto", "csv", "tsv", "jsonl", "text", "lines", "folder", "fortune"}))
      ->capture_default_str();
  cmd->add_option("--task", args->task, "cls (needs labels, two classes), lm (text only), auto (labelled: cls)")
      ->check(CLI::IsMember({"auto", "cls", "lm"}))
      ->capture_default_str();
  cmd->add_option("--delimiter", args->delimiter, "CSV delimiter: one character, or 'tab' (default: detected)")
      ->check([](const std::string& d) {
        return d == "tab" || d == "\\t" || (d.size() == 1 && d != "\"" && d != "\n" && d != "\r") ? std::string()
                                                                                                 : std::string("one character (not a quote), or 'tab'");
      });
  cmd->add_option("--tokenizer", args->tokenizer, "tokenizer.model, tokenizer.json or a model folder, for exact token lengths");
  cmd->add_option("--max-len", args->maxLen, "Model max length in tokens (rows above it get truncated)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--validation", args->validation, "Validation file: checked for leakage from the data file");
  cmd->add_option("--test", args->test, "Test file: checked for leakage from the data file");
  cmd->add_option("--seed", args->seed, "Seed of the automatic validation split")->capture_default_str();
  cmd->add_option("--val-fraction", args->valFraction, "Validation share of the automatic split (-1: by size)")
      ->check(CLI::Range(-1.0, 0.9))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object (rows, classes, ...) on stdout");
  cmd->callback([args, &exitCode] {
    try {
      exitCode = runInspect(*args);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ftstudio data inspect: %s\n", e.what());
      exitCode = 1;
    }
  });
  addDataOverlapCommand(*data, exitCode);
}

}  // namespace fts::cli
