#include "ui/TrainingController.h"

#include "core/runs/RunPaths.h"
#include "core/runs/RunStore.h"

namespace fts::ui {

TrainingController::TrainingController(QObject* parent) : QObject(parent) {
  timer_.setInterval(kTickMs);
  connect(&timer_, &QTimer::timeout, this, &TrainingController::drain);
}

TrainingController::~TrainingController() {
  if (trainer_) trainer_->requestStop();  // Trainer's destructor joins
}

bool TrainingController::start(const TrainConfig& config) {
  if (trainer_) return false;
  RunRecord run;
  try {
    RunStore store(studioHome());
    run = store.beginRun(std::filesystem::path(config.data.train).filename().string(), config.task, config.model.base,
                         config.toJson());
  } catch (const std::exception& e) {
    emit logLine(2, QString::fromStdString(e.what()));
    return false;
  }
  trainer_ = std::make_unique<Trainer>(config, RunContext{run.id, run.dir, studioHome()});
  emit logLine(0, tr("run %1 in %2").arg(QString::fromStdString(run.id), QString::fromStdString(run.dir)));
  deliveringTicks_ = 0;
  trainer_->start();
  timer_.start();
  return true;
}

void TrainingController::stop() {
  if (trainer_) trainer_->requestStop();
}

void TrainingController::setPaused(bool paused) {
  if (trainer_) trainer_->setPaused(paused);
}

void TrainingController::drain() {
  if (!trainer_) return;
  const bool wasRunning = trainer_->isRunning();
  std::vector<MetricEvent> batch;
  const ProgressEvent* latest = nullptr;
  std::vector<const EvalReportEvent*> reports;  // the newest of each split, in arrival order
  auto events = trainer_->events().drain();
  if (!events.empty()) ++deliveringTicks_;
  for (const auto& ev : events) {
    if (const auto* m = std::get_if<MetricEvent>(&ev)) {
      batch.push_back(*m);
    } else if (const auto* p = std::get_if<ProgressEvent>(&ev)) {
      latest = p;
    } else if (const auto* l = std::get_if<LogEvent>(&ev)) {
      emit logLine(static_cast<int>(l->level), QString::fromStdString(l->message));
    } else if (const auto* s = std::get_if<StateEvent>(&ev)) {
      state_ = s->state;
      emit stateChanged(s->state, QString::fromStdString(s->reason));
    } else if (const auto* r = std::get_if<EvalReportEvent>(&ev)) {
      std::erase_if(reports, [r](const EvalReportEvent* older) { return older->split == r->split; });
      reports.push_back(r);
    }
  }
  if (!batch.empty()) emit metrics(batch);
  if (latest) emit progress(*latest);
  for (const EvalReportEvent* r : reports) emit evalReport(*r);
  if (!wasRunning) {
    // The thread had ended before this drain, so everything it pushed has been delivered.
    timer_.stop();
    trainer_->join();
    summary_ = trainer_->summary();
    trainer_.reset();
    emit finished(summary_);
  }
}

}  // namespace fts::ui
