#include "core/train/RunData.h"

#include "core/data/Fingerprint.h"
#include "core/data/Split.h"
#include "core/data/SplitFile.h"
#include "core/train/JobFailed.h"
#include "core/util/AtomicFile.h"

#include <algorithm>
#include <numeric>

namespace fts {
namespace {

void log(RunRecorder& events, const std::string& msg, LogEvent::Level level = LogEvent::Level::Info) {
  events.push(LogEvent{level, msg});
}

std::vector<std::size_t> allRows(const data::Dataset& d) {
  std::vector<std::size_t> rows(d.samples.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return rows;
}

// Skipped rows are never dropped silently: a warning with the count and the first few, and every
// one of them in the run folder's skipped_rows.txt (FILE:LINE[:COL]: message, one a line).
void reportSkipped(const std::string& file, const std::vector<data::DataIssue>& skipped, const std::filesystem::path& runDir,
                   RunRecorder& events) {
  if (skipped.empty()) return;
  std::filesystem::create_directories(runDir);
  const auto listFile = runDir / "skipped_rows.txt";
  std::string list = std::filesystem::exists(listFile) ? readWholeFile(listFile) : std::string();
  for (const auto& issue : skipped) list += issue.format() + "\n";
  writeFileAtomically(listFile, list);
  std::string msg = file + ": " + std::to_string(skipped.size()) + (skipped.size() == 1 ? " row" : " rows") +
                    " skipped (data.on_error=skip), every one listed in " + listFile.string() + ":";
  for (std::size_t i = 0; i < std::min<std::size_t>(skipped.size(), 5); ++i) msg += "\n  " + skipped[i].format();
  if (skipped.size() > 5) msg += "\n  ...";
  log(events, msg, LogEvent::Level::Warning);
}

}  // namespace

data::Dataset loadCompanionFile(const std::string& file, const RunData& rd, const std::filesystem::path& runDir, RunRecorder& events) {
  data::LoadResult loaded = data::loadDataset(file, rd.loadOptions);
  reportSkipped(file, loaded.skipped, runDir, events);
  data::Dataset d = std::move(loaded.dataset);
  if (rd.classification())
    for (const auto& s : d.samples)
      if (!rd.labelIds.count(s.label))
        throw JobFailed(file + ":" + std::to_string(s.line) + ": label '" + s.label +
                        "' does not occur in the training data; the model cannot predict it");
  return d;
}

RunData loadRunData(const TrainConfig& cfg, const std::filesystem::path& runDir, bool resume, RunRecorder& events) {
  if (cfg.data.train.empty()) throw JobFailed("no training data: set data.train (or pass --data FILE)");
  RunData rd;
  rd.loadOptions.textColumn = cfg.data.text_col;
  rd.loadOptions.labelColumn = cfg.data.label_col;
  // A masked LM reads its data as a language model does: texts, no labels.
  if (!data::parseDataTask(cfg.task == "mlm" ? "lm" : cfg.task, rd.loadOptions.task))
    throw JobFailed("task must be 'cls', 'lm' or 'mlm', not '" + cfg.task + "'");
  if (cfg.data.on_error != "stop" && cfg.data.on_error != "skip")
    throw JobFailed("data.on_error must be stop (fail at the first bad row) or skip (leave bad rows out, listing each), not '" +
                    cfg.data.on_error + "'");
  rd.loadOptions.onError = cfg.data.on_error == "skip" ? data::ErrorPolicy::SkipAndReport : data::ErrorPolicy::StopAtFirst;
  data::LoadResult loaded = data::loadDataset(cfg.data.train, rd.loadOptions);
  rd.train = std::move(loaded.dataset);
  rd.skipped = loaded.skipped;
  // The list is made anew each time the files are read (a resume reads them again and finds the same rows).
  std::filesystem::remove(runDir / "skipped_rows.txt");
  reportSkipped(cfg.data.train, loaded.skipped, runDir, events);
  for (const auto& note : loaded.notes) log(events, note);
  for (const auto& warning : loaded.warnings) log(events, warning.format(), LogEvent::Level::Warning);
  rd.fingerprint = data::fingerprintFile(cfg.data.train);
  rd.task = cfg.task.empty() ? (rd.train.labelled() ? "cls" : "lm") : cfg.task;
  if (rd.classification() && !rd.train.labelled())
    throw JobFailed(cfg.data.train + ": classification needs a label column; none was found");
  if (rd.classification()) {
    rd.labels = rd.train.labels();
    if (rd.labels.size() < 2)
      throw JobFailed(cfg.data.train + ": only one class (" + rd.labels.at(0) + "): a classifier needs at least two");
    for (std::size_t i = 0; i < rd.labels.size(); ++i) rd.labelIds[rd.labels[i]] = static_cast<int>(i);
  }
  if (cfg.data.pack && rd.classification())
    throw JobFailed("data.pack joins texts for language modelling; a classifier needs its samples whole: set data.pack=false");

  if (!cfg.data.validation.empty()) {
    rd.validationFile = loadCompanionFile(cfg.data.validation, rd, runDir, events);
    rd.trainRows = allRows(rd.train);
    rd.valRows = allRows(rd.validationFile);
    log(events, "validation: " + cfg.data.validation + " (" + std::to_string(rd.valRows.size()) + " rows)");
  } else if (resume && std::filesystem::exists(runDir / "split.json")) {
    // The run's own split, checked against the data: a changed file cannot resume silently.
    data::Split split = data::restoreSplit(runDir / "split.json", rd.train);
    rd.trainRows = std::move(split.train);
    rd.valRows = std::move(split.validation);
    log(events, "validation: the run's stored split (" + std::to_string(rd.valRows.size()) + " rows)");
  } else {
    data::Split split = data::splitForValidation(rd.train, cfg.data.val_fraction, static_cast<uint64_t>(cfg.train.seed));
    log(events, split.note);
    if (!split.warning.empty()) log(events, split.warning, LogEvent::Level::Warning);
    data::writeSplitFile(runDir / "split.json", data::makeSplitRecord(rd.train, cfg.data.train, split));
    if (events.store()) events.store()->setSplit(events.runId(), readWholeFile(runDir / "split.json"));
    rd.trainRows = std::move(split.train);
    rd.valRows = std::move(split.validation);
  }
  return rd;
}

}  // namespace fts
