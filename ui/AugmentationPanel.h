#pragma once
// The Augmentation panel: on the dataset the Dataset panel has open, pick operations (EDA's sr, ri,
// rs, rd, AEDA's punctuation, character noise) with their rates, the synonym source and the seed;
// preview a few samples (at random, of a class, or matching a search) with their variants side by
// side, each change highlighted (ChangeLogView); write the augmented data set offline.
// Every augmentation runs in a worker (QtConcurrent): the GUI never waits on WordNet or the set.
//
// Not here yet: the predicted label of a selected run per variant, and setting a run's on-the-fly
// augmentation (augment.* keys).
#include "core/augment/Augmenter.h"
#include "core/augment/DatasetAugmentation.h"
#include "core/data/Dataset.h"

#include <QFutureWatcher>
#include <QString>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include "core/train/TrainConfig.h"

#include <atomic>
#include <map>
#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace fts::ui {

class ChangeLogView;
class DatasetPanel;

class AugmentationPanel : public QWidget {
  Q_OBJECT
 public:
  enum class SampleChoice { Random, ByClass, Search };
  enum class SynonymChoice { WordNet, WordVectors, SynonymFile, None };

  // One previewed sample and its variants.
  struct PreviewSample {
    fts::data::Sample sample;
    std::vector<fts::augment::Variant> variants;
  };

  AugmentationPanel(DatasetPanel* dataset, QWidget* parent = nullptr);

  // Settings (the controls' values), for tests and the main window.
  void setOperation(fts::augment::Operation op, bool enabled, double rate);
  void setVariantCount(int n);
  void setSeed(int seed);
  int seed() const;
  void setSynonyms(SynonymChoice choice, const QString& file = {});
  void setSampleChoice(SampleChoice choice, const QString& classOrSearch = {});
  void setSampleCount(int samples);
  fts::augment::AugmentOptions options() const;

  // Preview the picked samples with the current settings; previewReady() or failed() follows.
  void preview();
  // A new seed, then preview.
  void regenerate();
  // Writes the whole set to `output` in a worker; written() or failed() follows.
  void writeAugmented(const QString& output);
  void cancelWrite();

  bool isBusy() const { return previewWatcher_.isRunning() || writeWatcher_.isRunning(); }
  const std::vector<PreviewSample>& previewSamples() const { return previewed_; }
  // The views of the preview: row r (sample), column 0 the original, c > 0 variant c - 1.
  ChangeLogView* viewAt(int row, int column) const;
  QLabel* statusLabel() const { return status_; }
  QPushButton* previewButton() const { return previewButton_; }
  QPushButton* regenerateButton() const { return regenerateButton_; }
  QPushButton* writeButton() const { return writeButton_; }
  QPushButton* cancelButton() const { return cancelButton_; }
  // Shown once a set is written: opens it in the Dataset panel.
  QPushButton* openWrittenButton() const { return openWritten_; }
  QProgressBar* progressBar() const { return progress_; }
  // As large as the Dataset panel's: sharing its tab, the panel must not change the window's
  // layout (the Training panel keeps its place).
  QSize sizeHint() const override;

 signals:
  void previewReady();
  void written(const QString& output, const QString& log);
  void failed(const QString& message);
  // "Use in training": these operations, variants, seed and synonyms as the run's augment.* settings.
  void trainingAugmentationChosen(const fts::TrainConfig::Augment& settings);

 private:
  struct OperationControls {
    fts::augment::Operation op;
    QCheckBox* enabled;
    QDoubleSpinBox* rate;
  };
  struct PreviewOutcome {
    std::vector<PreviewSample> samples;
    QString error;
  };
  struct WriteOutcome {
    fts::augment::DatasetAugmentResult result;
    bool cancelled = false;
    QString error;
  };
  // What a worker needs to build the augmenter: plain values, copied from the controls.
  struct Settings {
    fts::augment::AugmentOptions options;
    SynonymChoice synonyms = SynonymChoice::WordNet;
    std::string synonymFile;
  };

  Settings settings() const;
  static std::shared_ptr<const fts::augment::Augmenter> buildAugmenter(const Settings& s);
  std::vector<fts::data::Sample> pickSamples() const;
  void datasetLoaded();
  void showPreview(const PreviewOutcome& outcome);
  void showWritten(const WriteOutcome& outcome);
  void updateRecommendations();
  void updateEnabled();
  void chooseSynonymFile();
  void useInTraining();
  void chooseOutput();

  DatasetPanel* dataset_;
  std::vector<OperationControls> ops_;
  QSpinBox *variants_, *seed_, *sampleCount_;
  QComboBox *synonyms_, *sampleChoice_, *classChoice_;
  QLineEdit *synonymFile_, *search_;
  QPushButton *browse_, *previewButton_, *regenerateButton_, *otherSamples_, *writeButton_, *cancelButton_, *openWritten_;
  QComboBox* trainingMode_ = nullptr;  // off / offline / online for the next run
  QPushButton* useInTraining_ = nullptr;
  QLabel *recommendation_, *status_;
  QProgressBar* progress_;
  QWidget* previewPage_;
  QGridLayout* previewGrid_;
  QVector<QVector<ChangeLogView*>> views_;
  QString written_;  // the last augmented set written
  int pickRound_ = 0;  // "Other samples" draws another random pick
  std::vector<PreviewSample> previewed_;
  QFutureWatcher<PreviewOutcome> previewWatcher_;
  bool previewAgain_ = false;  // settings changed while a preview ran
  QFutureWatcher<WriteOutcome> writeWatcher_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::shared_ptr<std::atomic<std::size_t>> done_, total_;
  QTimer progressTimer_;
};

}  // namespace fts::ui
