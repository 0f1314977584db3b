#pragma once
// The Training panel: the settings of a run, Train / Pause / Stop, a progress bar with step and
// ETA, live loss and metric plots, per-class figures with the confusion matrix of the newest
// evaluation (a tab beside the plots), and the run's log.
#include "core/train/TrainConfig.h"
#include "core/train/TrainerEvents.h"

#include <QWidget>

#include <map>
#include <string>

class QDoubleSpinBox;
class QLabel;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace fts::ui {

class ClassMetricsTable;
class ConfusionMatrixView;
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
  // data.on_error: "stop" or "skip" (chosen in the Dataset panel).
  void setErrorPolicy(const QString& policy);
  // augment.* of the next run (from the Augmentation panel), shown in the method settings.
  void setAugmentation(const fts::TrainConfig::Augment& augment);

  MetricPlot* lossPlot() const { return lossPlot_; }
  MetricPlot* qualityPlot() const { return qualityPlot_; }
  QPushButton* trainButton() const { return train_; }
  QPushButton* stopButton() const { return stop_; }
  QPushButton* pauseButton() const { return pause_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* progressLabel() const { return progressLabel_; }
  QLabel* augmentationSummary() const { return augmentation_; }
  QSpinBox* maxLengthBox() const { return maxLen_; }
  // The "Curves" and "Per class" tabs, and what the latter shows.
  QTabWidget* resultTabs() const { return tabs_; }
  QWidget* perClassTab() const { return perClassTab_; }
  ConfusionMatrixView* confusionView() const { return confusion_; }
  ClassMetricsTable* classTable() const { return classTable_; }
  QLabel* reportTitle() const { return reportTitle_; }
  QComboBox* reportChoice() const { return reportChoice_; }
  // The split of the report on screen ("validation", "test"; empty: none yet).
  QString shownReportSplit() const { return shownSplit_; }

  // The state in the user's language ("Finished", "已完成", ...).
  static QString stateText(fts::TrainerState state);

 signals:
  // The run's max length in tokens (data.max_len) as the form holds it now.
  void maxLengthChanged(int tokens);

 public slots:
  void startTraining();

 private:
  void onMetrics(const std::vector<fts::MetricEvent>& batch);
  void onProgress(const fts::ProgressEvent& p);
  void onState(fts::TrainerState state, const QString& reason);
  void onLog(int level, const QString& message);
  void onEvalReport(const fts::EvalReportEvent& report);
  void showReport(const QString& split);
  void clearReports();
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
  QLabel* augmentation_ = nullptr;  // what augment.* the next run uses
  MetricPlot *lossPlot_, *qualityPlot_;
  QTabWidget* tabs_;
  QWidget* perClassTab_;
  QLabel* reportTitle_;
  QComboBox* reportChoice_;
  ConfusionMatrixView* confusion_;
  ClassMetricsTable* classTable_;
  std::map<std::string, fts::EvalReportEvent> reports_;  // the newest of each split
  QString shownSplit_;
  QPlainTextEdit* log_;
};

}  // namespace fts::ui
