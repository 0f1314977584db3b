#include "core/runs/RunStore.h"

#include "core/runs/RunPaths.h"

#include <nlohmann/json.hpp>

#include <sqlite3.h>

#include <ctime>
#include <stdexcept>

namespace fts {
namespace {

constexpr int kSchemaVersion = 1;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs(
  id TEXT PRIMARY KEY, name TEXT, status TEXT NOT NULL, reason TEXT, task TEXT, method TEXT,
  dataset_fingerprint TEXT, base_model TEXT, created_at TEXT, finished_at TEXT, dir TEXT,
  best_metric_name TEXT, best_metric REAL, best_step INTEGER);
CREATE TABLE IF NOT EXISTS run_configs(
  run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE, config_json TEXT NOT NULL, split_json TEXT);
CREATE TABLE IF NOT EXISTS metrics(
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, step INTEGER, epoch REAL, tokens INTEGER,
  wall_s REAL, name TEXT NOT NULL, value REAL);
CREATE INDEX IF NOT EXISTS metrics_by_run ON metrics(run_id, name, step);
CREATE TABLE IF NOT EXISTS final_metrics(
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, name TEXT NOT NULL, value REAL,
  PRIMARY KEY(run_id, name));
CREATE TABLE IF NOT EXISTS events(
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, wall_s REAL, at TEXT, level TEXT, message TEXT);
CREATE TABLE IF NOT EXISTS artifacts(
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, kind TEXT, path TEXT, created_at TEXT);
)sql";

// One prepared statement, finalized on scope exit; binds by position from 1.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("run store: ") + sqlite3_errmsg(db) + " in: " + sql);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // True while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("run store: ") + sqlite3_errmsg(db_));
  }
  void run() {
    while (step()) {
    }
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

RunRecord readRun(const Statement& s) {
  RunRecord r;
  r.id = s.text(0);
  r.name = s.text(1);
  r.status = s.text(2);
  r.reason = s.text(3);
  r.task = s.text(4);
  r.method = s.text(5);
  r.datasetFingerprint = s.text(6);
  r.baseModel = s.text(7);
  r.createdAt = s.text(8);
  r.finishedAt = s.text(9);
  r.dir = s.text(10);
  r.bestMetricName = s.text(11);
  r.bestMetric = s.real(12);
  r.bestStep = s.isNull(13) ? -1 : s.integer(13);
  return r;
}

constexpr const char* kRunColumns =
    "id, name, status, reason, task, method, dataset_fingerprint, base_model, created_at, finished_at, dir, "
    "best_metric_name, best_metric, best_step";

}  // namespace

std::string utcNowIso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

RunStore::RunStore(const std::filesystem::path& home) : home_(home), path_(home / "runs.sqlite") {
  std::error_code ec;
  std::filesystem::create_directories(home, ec);
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error(path_.string() + ": cannot open the run store: " + msg);
  }
  // A writer holds the lock for milliseconds; readers wait rather than fail.
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
  Statement version(db_, "PRAGMA user_version");
  version.step();
  const auto v = version.integer(0);
  if (v > kSchemaVersion)
    throw std::runtime_error(path_.string() + ": made by a newer Fine-tuning Studio (schema " + std::to_string(v) + "); update the app");
  exec(kSchema);
  exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
}

RunStore::~RunStore() { sqlite3_close(db_); }

void RunStore::exec(const char* sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(path_.string() + ": " + msg);
  }
}

void RunStore::createRun(const RunRecord& r, const std::string& configJson) {
  exec("BEGIN IMMEDIATE");
  try {
    Statement s(db_, "INSERT INTO runs(id, name, status, reason, task, method, dataset_fingerprint, base_model, created_at, dir) "
                     "VALUES(?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, r.id).bind(2, r.name).bind(3, r.status.empty() ? std::string("created") : r.status).bind(4, r.reason);
    s.bind(5, r.task).bind(6, r.method).bind(7, r.datasetFingerprint).bind(8, r.baseModel);
    s.bind(9, r.createdAt.empty() ? utcNowIso8601() : r.createdAt).bind(10, r.dir);
    s.run();
    Statement c(db_, "INSERT INTO run_configs(run_id, config_json) VALUES(?,?)");
    c.bind(1, r.id).bind(2, configJson).run();
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

void RunStore::setStatus(const std::string& id, const std::string& status, const std::string& reason) {
  const bool final = status == "finished" || status == "stopped" || status == "failed";
  Statement s(db_, final ? "UPDATE runs SET status=?, reason=?, finished_at=? WHERE id=?"
                         : "UPDATE runs SET status=?, reason=? WHERE id=?");
  s.bind(1, status).bind(2, reason);
  if (final) s.bind(3, utcNowIso8601()).bind(4, id);
  else s.bind(3, id);
  s.run();
}

void RunStore::setSplit(const std::string& id, const std::string& splitJson) {
  Statement(db_, "UPDATE run_configs SET split_json=? WHERE run_id=?").bind(1, splitJson).bind(2, id).run();
}

void RunStore::setTask(const std::string& id, const std::string& task) {
  Statement(db_, "UPDATE runs SET task=? WHERE id=?").bind(1, task).bind(2, id).run();
}

void RunStore::setDatasetFingerprint(const std::string& id, const std::string& fingerprint) {
  Statement(db_, "UPDATE runs SET dataset_fingerprint=? WHERE id=?").bind(1, fingerprint).bind(2, id).run();
}

void RunStore::setBest(const std::string& id, const std::string& metric, double value, std::int64_t step) {
  Statement(db_, "UPDATE runs SET best_metric_name=?, best_metric=?, best_step=? WHERE id=?")
      .bind(1, metric).bind(2, value).bind(3, step).bind(4, id).run();
}

void RunStore::appendMetrics(const std::string& id, const std::vector<MetricRow>& rows) {
  if (rows.empty()) return;
  exec("BEGIN IMMEDIATE");
  try {
    Statement s(db_, "INSERT INTO metrics(run_id, step, epoch, tokens, wall_s, name, value) VALUES(?,?,?,?,?,?,?)");
    for (const auto& m : rows) {
      s.bind(1, id).bind(2, m.step).bind(3, m.epoch).bind(4, m.tokens).bind(5, m.wallSeconds).bind(6, m.name).bind(7, m.value);
      s.run();
      s.reset();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

void RunStore::setFinalMetrics(const std::string& id, const std::map<std::string, double>& metrics) {
  exec("BEGIN IMMEDIATE");
  try {
    Statement del(db_, "DELETE FROM final_metrics WHERE run_id=?");
    del.bind(1, id).run();
    Statement s(db_, "INSERT INTO final_metrics(run_id, name, value) VALUES(?,?,?)");
    for (const auto& [k, v] : metrics) {
      s.bind(1, id).bind(2, k).bind(3, v).run();
      s.reset();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

void RunStore::addEvent(const std::string& id, double wallSeconds, const std::string& level, const std::string& message) {
  Statement(db_, "INSERT INTO events(run_id, wall_s, at, level, message) VALUES(?,?,?,?,?)")
      .bind(1, id).bind(2, wallSeconds).bind(3, utcNowIso8601()).bind(4, level).bind(5, message).run();
}

void RunStore::addArtifact(const std::string& id, const std::string& kind, const std::string& path) {
  Statement(db_, "INSERT INTO artifacts(run_id, kind, path, created_at) VALUES(?,?,?,?)")
      .bind(1, id).bind(2, kind).bind(3, path).bind(4, utcNowIso8601()).run();
}

std::vector<RunRecord> RunStore::listRuns() const {
  Statement s(db_, (std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY created_at DESC, id DESC").c_str());
  std::vector<RunRecord> out;
  while (s.step()) out.push_back(readRun(s));
  return out;
}

std::optional<RunRecord> RunStore::findRun(const std::string& idOrPrefix) const {
  Statement exact(db_, (std::string("SELECT ") + kRunColumns + " FROM runs WHERE id=?").c_str());
  exact.bind(1, idOrPrefix);
  if (exact.step()) return readRun(exact);
  Statement prefix(db_, (std::string("SELECT ") + kRunColumns + " FROM runs WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2").c_str());
  prefix.bind(1, idOrPrefix);
  if (!prefix.step()) return std::nullopt;
  RunRecord r = readRun(prefix);
  if (prefix.step()) throw std::invalid_argument("'" + idOrPrefix + "' matches several runs: give more of the id");
  return r;
}

std::string RunStore::config(const std::string& id) const {
  Statement s(db_, "SELECT config_json FROM run_configs WHERE run_id=?");
  s.bind(1, id);
  return s.step() ? s.text(0) : std::string();
}

std::string RunStore::split(const std::string& id) const {
  Statement s(db_, "SELECT split_json FROM run_configs WHERE run_id=?");
  s.bind(1, id);
  return s.step() ? s.text(0) : std::string();
}

std::vector<MetricRow> RunStore::metrics(const std::string& id, const std::string& name) const {
  Statement s(db_, name.empty() ? "SELECT step, epoch, tokens, wall_s, name, value FROM metrics WHERE run_id=? ORDER BY rowid"
                                : "SELECT step, epoch, tokens, wall_s, name, value FROM metrics WHERE run_id=? AND name=? ORDER BY rowid");
  s.bind(1, id);
  if (!name.empty()) s.bind(2, name);
  std::vector<MetricRow> out;
  while (s.step()) out.push_back(MetricRow{s.integer(0), s.real(1), s.integer(2), s.real(3), s.text(4), s.real(5)});
  return out;
}

std::vector<std::string> RunStore::metricNames(const std::string& id) const {
  Statement s(db_, "SELECT DISTINCT name FROM metrics WHERE run_id=? ORDER BY name");
  s.bind(1, id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::map<std::string, double> RunStore::finalMetrics(const std::string& id) const {
  Statement s(db_, "SELECT name, value FROM final_metrics WHERE run_id=?");
  s.bind(1, id);
  std::map<std::string, double> out;
  while (s.step()) out[s.text(0)] = s.real(1);
  return out;
}

std::vector<std::pair<std::string, std::string>> RunStore::artifacts(const std::string& id) const {
  Statement s(db_, "SELECT kind, path FROM artifacts WHERE run_id=? ORDER BY rowid");
  s.bind(1, id);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

std::vector<std::pair<std::string, std::string>> RunStore::events(const std::string& id) const {
  Statement s(db_, "SELECT level, message FROM events WHERE run_id=? ORDER BY rowid");
  s.bind(1, id);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

void RunStore::removeRun(const std::string& id) {
  const auto run = findRun(id);
  if (!run) throw std::invalid_argument("no run '" + id + "'");
  exec("BEGIN IMMEDIATE");
  try {
    for (const char* table : {"metrics", "final_metrics", "events", "artifacts", "run_configs"}) {
      Statement s(db_, (std::string("DELETE FROM ") + table + " WHERE run_id=?").c_str());
      s.bind(1, run->id).run();
    }
    Statement(db_, "DELETE FROM runs WHERE id=?").bind(1, run->id).run();
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
  // Only a folder inside this store's runs folder is ever deleted.
  std::error_code ec;
  const auto dir = std::filesystem::weakly_canonical(run->dir, ec);
  const auto runs = std::filesystem::weakly_canonical(home_ / "runs", ec);
  if (!run->dir.empty() && dir.parent_path() == runs) std::filesystem::remove_all(dir, ec);
}

// The method a run's config describes, for lists and comparisons: a baseline, LoRA, frozen lower
// layers, full fine-tuning of a base model, or a model trained from scratch.
static std::string methodOfConfig(const std::string& configJson) {
  const auto j = nlohmann::json::parse(configJson, nullptr, false);
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) return {};
  const auto& m = j["model"];
  const std::string type = m.value("type", "llama");
  if (type != "llama") return type;
  if (m.value("lora_rank", 0) > 0) return "lora";
  if (m.value("freeze_layers", 0) > 0 || m.value("freeze_embeddings", false)) return "frozen";
  return m.value("base", "").empty() ? "scratch" : "full";
}

RunRecord RunStore::beginRun(const std::string& name, const std::string& task, const std::string& baseModel,
                             const std::string& configJson) {
  RunRecord r;
  r.method = methodOfConfig(configJson);
  r.baseModel = baseModel;
  r.dir = createRunDir(home_, &r.id).string();
  r.name = name.empty() ? r.id : name;
  r.task = task;
  r.status = "created";
  r.createdAt = utcNowIso8601();
  createRun(r, configJson);
  return r;
}

}  // namespace fts
