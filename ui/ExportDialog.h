#pragma once
// The Export dialog: a run from the run store, a format (Hugging Face folder, merged LoRA model, PEFT
// adapter, GGUF: those the run does not allow are greyed, with the reason), a dtype, the output folder
// and the shard size. The export runs on a worker thread (never the GUI thread) through the same
// core::exportModel as `ftstudio export`, with its stage shown and a Cancel that stops it at the next
// stage (nothing is left under the folder); then the dialog shows how the export verified (max abs
// logit difference, the accepted one, argmax agreement, what was read back, the files) or the error.
#include <QDialog>
#include <QFutureWatcher>
#include <QString>

#include <atomic>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTextBrowser;

namespace fts::ui {

class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  // Lists the runs of the store in `studioHome` (newest first).
  explicit ExportDialog(const QString& studioHome, QWidget* parent = nullptr);
  // Cancels a running export and waits for the worker to stop (it stops at the next stage).
  ~ExportDialog() override;

  // Selects the run with this id; false when the store has no such run.
  bool selectRun(const QString& runId);
  // "hf", "merged", "peft", "gguf" / "f32", "f16", "bf16", "q8_0"; false when not offered or greyed.
  bool selectFormat(const QString& name);
  bool selectDtype(const QString& name);
  void setOutputFolder(const QString& folder);
  // From Export until the outcome is shown (the worker may have ended a moment before).
  bool isRunning() const { return running_; }
  // The outcome shown: "" before any export, then "verified", "failed", "cancelled".
  QString outcome() const { return outcome_; }

  QComboBox* runBox() const { return run_; }
  QComboBox* formatBox() const { return format_; }
  QComboBox* dtypeBox() const { return dtype_; }
  QLineEdit* outputEdit() const { return out_; }
  QLineEdit* shardEdit() const { return shard_; }
  QLabel* formatNote() const { return formatNote_; }
  QPushButton* exportButton() const { return export_; }
  QPushButton* cancelButton() const { return cancel_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* stageLabel() const { return stage_; }
  QTextBrowser* resultView() const { return result_; }

 public slots:
  void startExport();
  void cancelExport();

 signals:
  // After the result (or the error) is shown.
  void exportFinished(bool verified);

 protected:
  // Close or Escape while exporting: cancel first, close once the worker has stopped.
  void reject() override;

 private:
  struct Outcome;
  void loadRuns();
  void onRunChanged();
  void onFormatChanged();
  void suggestOutputFolder();
  void chooseOutputFolder();
  void setStage(const QString& stage);
  void onFinished();
  void setBusy(bool busy);

  QString home_;
  QComboBox *run_, *format_, *dtype_;
  QLineEdit *out_, *shard_;
  QLabel *formatNote_, *stage_;
  QPushButton *browse_, *export_, *cancel_, *openFolder_, *close_;
  QProgressBar* progress_;
  QTextBrowser* result_;
  bool outEdited_ = false;   // the user typed a folder: stop suggesting one
  bool closeWhenDone_ = false;
  bool running_ = false;
  QString outcome_;
  QString lastOut_;
  std::shared_ptr<std::atomic<bool>> cancelFlag_;
  QFutureWatcher<std::shared_ptr<Outcome>> watcher_;
};

}  // namespace fts::ui
