#include "core/runs/RunRecorder.h"

#include "core/runs/EvalReport.h"
#include "core/util/Clock.h"

namespace fts {
namespace {
constexpr double kFlushSeconds = 1.0;
constexpr size_t kFlushRows = 2048;
}  // namespace

RunRecorder::RunRecorder(std::unique_ptr<RunStore> store, std::string runId, EventQueue& queue, std::filesystem::path runDir)
    : store_(std::move(store)), runId_(std::move(runId)), runDir_(std::move(runDir)), queue_(queue), lastFlush_(monotonicSeconds()) {}

RunRecorder::~RunRecorder() {
  try {
    flush();
  } catch (...) {
  }
}

void RunRecorder::push(TrainerEvent e) {
  recordSafely(e);
  if (const auto* r = std::get_if<EvalReportEvent>(&e)) recordEvalReport(*r);
  queue_.push(std::move(e));
}

void RunRecorder::recordEvalReport(const EvalReportEvent& r) {
  if (reportFailed_) return;
  try {
    if (runDir_.empty() && store_ && !storeFailed_)
      if (auto run = store_->findRun(runId_)) runDir_ = run->dir;
    if (runDir_.empty()) return;  // no run folder to write to (tests, benchmarks)
    const bool first = !std::filesystem::exists(runDir_ / kEvalReportFile);
    storeEvalReport(runDir_, r);
    if (first && store_ && !storeFailed_) store_->addArtifact(runId_, "eval_report", (runDir_ / kEvalReportFile).string());
  } catch (const std::exception& ex) {
    // Training goes on; the figures are still in the metric series. Said once, not per evaluation.
    reportFailed_ = true;
    queue_.push(LogEvent{LogEvent::Level::Warning, std::string("evaluation report not saved: ") + ex.what()});
  }
}

void RunRecorder::recordSafely(const TrainerEvent& e) {
  if (!store_ || storeFailed_) return;
  try {
    if (const auto* m = std::get_if<MetricEvent>(&e)) {
      pending_.push_back(MetricRow{m->step, m->epoch, m->tokens, m->wallSeconds, m->name, m->value});
      if (pending_.size() >= kFlushRows || monotonicSeconds() - lastFlush_ >= kFlushSeconds) flush();
    } else if (const auto* s = std::get_if<StateEvent>(&e)) {
      flush();
      store_->setStatus(runId_, toString(s->state), s->reason);
    } else if (const auto* l = std::get_if<LogEvent>(&e)) {
      const char* level = l->level == LogEvent::Level::Error ? "error" : l->level == LogEvent::Level::Warning ? "warning" : "info";
      store_->addEvent(runId_, monotonicSeconds(), level, l->message);
    }
  } catch (const std::exception& ex) {
    // Training goes on (its files are in the run folder); the user learns the store stopped.
    storeFailed_ = true;
    queue_.push(LogEvent{LogEvent::Level::Warning, std::string("run store not updated any more: ") + ex.what()});
  }
}

void RunRecorder::flush() {
  lastFlush_ = monotonicSeconds();
  if (!store_ || storeFailed_ || pending_.empty()) return;
  store_->appendMetrics(runId_, pending_);
  pending_.clear();
}

}  // namespace fts
