#pragma once
// The Training panel: the settings of a run, Train / Pause / Stop, a progress bar with step and
// ETA, live loss and metric plots, and the run's log.
#include "core/train/TrainConfig.h"
#include "core/train/TrainerEvents.h"

#include <QWidget>

class QDoubleSpinBox;
class QLabel;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace fts::ui {

class MetricPlot;
class TrainingController;

class TrainingPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingPanel(TrainingController* controller, QWidget* parent = nullptr);

  // The form shows `config`; dataFile is what Train will use as data.train.
  void setConfig(const fts::TrainConfig& config);
  fts::TrainConfig config() const;
  void setDataFile(const QString& path, const QString& textColumn = {}, const QString& labelColumn = {});

  MetricPlot* lossPlot() const { return lossPlot_; }
  MetricPlot* qualityPlot() const { return qualityPlot_; }
  QPushButton* trainButton() const { return train_; }
  QPushButton* stopButton() const { return stop_; }
  QPushButton* pauseButton() const { return pause_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* progressLabel() const { return progressLabel_; }

 public slots:
  void startTraining();

 private:
  void onMetrics(const std::vector<fts::MetricEvent>& batch);
  void onProgress(const fts::ProgressEvent& p);
  void onState(fts::TrainerState state, const QString& reason);
  void onLog(int level, const QString& message);
  void updateButtons();

  TrainingController* controller_;
  fts::TrainConfig base_;
  QString dataFile_;
  QComboBox* task_;
  QSpinBox *steps_, *epochs_, *batch_, *hidden_, *layers_, *heads_, *threads_, *maxLen_, *evalEvery_;
  QLineEdit* baseModel_;
  QComboBox* method_;
  QSpinBox *loraRank_, *freezeLayers_, *patience_;
  QDoubleSpinBox* lr_;
  QPushButton *train_, *pause_, *stop_;
  QProgressBar* progress_;
  QLabel* progressLabel_;
  MetricPlot *lossPlot_, *qualityPlot_;
  QPlainTextEdit* log_;
};

}  // namespace fts::ui
