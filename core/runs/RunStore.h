#pragma once
// The run store: one SQLite database in WAL mode (studioHome()/runs.sqlite) plus a folder per run.
// The trainer writes while the GUI and CLI read; WAL and a busy timeout keep readers and the
// writer from failing with "database is locked".
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace fts {

struct RunRecord {
  std::string id;
  std::string name;
  std::string status;          // created, preparing, running, paused, finished, stopped, failed
  std::string reason;
  std::string task;            // cls | lm
  std::string method;          // e.g. "full", "lora", "frozen"
  std::string datasetFingerprint;
  std::string baseModel;       // folder of the base model, empty when trained from scratch
  std::string createdAt;       // ISO 8601, UTC
  std::string finishedAt;
  std::string dir;             // the run's folder
  std::string bestMetricName;
  double bestMetric = 0;
  std::int64_t bestStep = -1;
};

struct MetricRow {
  std::int64_t step = 0;
  double epoch = 0;
  std::int64_t tokens = 0;
  double wallSeconds = 0;
  std::string name;
  double value = 0;
};

class RunStore {
 public:
  // Opens (creating if needed) home/runs.sqlite. Throws std::runtime_error naming the file.
  explicit RunStore(const std::filesystem::path& home);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  std::filesystem::path databasePath() const { return path_; }

  void createRun(const RunRecord& run, const std::string& configJson);
  void setStatus(const std::string& id, const std::string& status, const std::string& reason = {});
  void setSplit(const std::string& id, const std::string& splitJson);
  void setTask(const std::string& id, const std::string& task);
  void setDatasetFingerprint(const std::string& id, const std::string& fingerprint);
  void setBest(const std::string& id, const std::string& metric, double value, std::int64_t step);
  void appendMetrics(const std::string& id, const std::vector<MetricRow>& rows);  // one transaction
  void setFinalMetrics(const std::string& id, const std::map<std::string, double>& metrics);
  void addEvent(const std::string& id, double wallSeconds, const std::string& level, const std::string& message);
  void addArtifact(const std::string& id, const std::string& kind, const std::string& path);

  std::vector<RunRecord> listRuns() const;  // newest first
  // By exact id, or by a unique prefix of one; nullopt when none (throws when ambiguous).
  std::optional<RunRecord> findRun(const std::string& idOrPrefix) const;
  std::string config(const std::string& id) const;
  std::string split(const std::string& id) const;
  std::vector<MetricRow> metrics(const std::string& id, const std::string& name = {}) const;
  std::vector<std::string> metricNames(const std::string& id) const;
  std::map<std::string, double> finalMetrics(const std::string& id) const;
  std::vector<std::pair<std::string, std::string>> artifacts(const std::string& id) const;  // kind, path
  std::vector<std::pair<std::string, std::string>> events(const std::string& id) const;     // level, message

  // Deletes the run's rows and its folder (only a folder under home/runs).
  void removeRun(const std::string& id);

  // Creates a run folder under home/runs and its row (status "created"); returns the record.
  RunRecord beginRun(const std::string& name, const std::string& task, const std::string& baseModel,
                     const std::string& configJson);

 private:
  void exec(const char* sql) const;
  std::filesystem::path home_;
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

std::string utcNowIso8601();

}  // namespace fts
