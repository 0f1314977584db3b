#pragma once
// Bridges the engine's Trainer (its own thread, plain structs) to Qt: drains the event queue on a
// ~40 ms timer on the GUI thread and re-emits the events in batches, so the event loop never waits
// on the trainer and widgets update once per tick.
#include "core/train/TrainConfig.h"
#include "core/train/Trainer.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace fts::ui {

class TrainingController : public QObject {
  Q_OBJECT
 public:
  explicit TrainingController(QObject* parent = nullptr);
  ~TrainingController() override;

  bool isActive() const { return trainer_ != nullptr; }
  TrainerState state() const { return state_; }
  const TrainSummary& lastSummary() const { return summary_; }
  // Timer ticks that delivered events since the last start(): the upper bound on replots.
  int deliveringTicks() const { return deliveringTicks_; }
  static constexpr int kTickMs = 40;

 public slots:
  bool start(const fts::TrainConfig& config);
  void stop();
  void setPaused(bool paused);

 signals:
  void metrics(const std::vector<fts::MetricEvent>& batch);  // everything since the last tick
  void progress(const fts::ProgressEvent& latest);           // the newest progress of the tick only
  void logLine(int level, const QString& message);
  void stateChanged(fts::TrainerState state, const QString& reason);
  // A classification evaluation in full. Per tick only the newest of each split ("validation",
  // "test") is emitted: an older report of the same split is already out of date.
  void evalReport(const fts::EvalReportEvent& report);
  void finished(const fts::TrainSummary& summary);

 private slots:
  void drain();

 private:
  std::unique_ptr<Trainer> trainer_;
  QTimer timer_;
  TrainerState state_ = TrainerState::Idle;
  TrainSummary summary_;
  int deliveringTicks_ = 0;
};

}  // namespace fts::ui
