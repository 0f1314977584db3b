#pragma once
// File > Import GGUF…: a llama.cpp GGUF file to a Hugging Face model folder, through the same
// core::importGguf as `ftstudio import`. Choosing the file shows what its header says (architecture,
// layers, hidden size, heads, vocabulary, tokenizer, tensor types with counts, parameters) before
// anything is decoded; the import runs on a worker thread (never the GUI thread) with a progress bar per
// tensor and a Cancel that stops it before the next tensor (nothing is left under the output folder);
// then the dialog shows the folder, parameters, tokenizer kind and seconds, or the importer's message.
// The output folder defaults to <studio home>/models/<file stem>, where the base model picker finds it,
// and "Use as Base Model" hands the folder to the Training panel.
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

class ImportGgufDialog : public QDialog {
  Q_OBJECT
 public:
  explicit ImportGgufDialog(const QString& studioHome, QWidget* parent = nullptr);
  // Cancels a running import and waits for the worker to stop (it stops before its next tensor).
  ~ImportGgufDialog() override;

  // Reads the file's header and shows it; the output folder follows the file until the user edits it.
  void setGgufFile(const QString& path);
  void setOutputFolder(const QString& folder);
  // "bf16" or "f32"; false for anything else.
  bool selectDtype(const QString& name);
  // From Import until the outcome is shown (the worker may have ended a moment before).
  bool isRunning() const { return running_; }
  // The outcome shown: "" before any import, then "imported", "failed", "cancelled".
  QString outcome() const { return outcome_; }
  // The folder of the last successful import ("" before one).
  QString importedFolder() const { return lastOut_; }

  QLineEdit* fileEdit() const { return file_; }
  QLabel* metadataView() const { return metadata_; }
  QLineEdit* outputEdit() const { return out_; }
  QComboBox* dtypeBox() const { return dtype_; }
  QPushButton* importButton() const { return import_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* useAsBaseButton() const { return useAsBase_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* stageLabel() const { return stage_; }
  QTextBrowser* resultView() const { return result_; }

 public slots:
  void startImport();
  void cancelImport();

 signals:
  // After the result (or the error) is shown.
  void importFinished(bool ok);
  // "Use as Base Model" was clicked: the imported folder.
  void useAsBaseModel(const QString& folder);

 protected:
  // Close or Escape while importing: cancel first, close once the worker has stopped.
  void reject() override;

 private:
  struct Outcome;
  void chooseFile();
  void chooseOutputFolder();
  void inspectFile();
  void suggestOutputFolder();
  void setTensor(int index, int count, const QString& text);
  void onFinished();
  void setBusy(bool busy);
  void updateImportButton();

  QString home_;
  QLineEdit *file_, *out_;
  QLabel *metadata_, *stage_;
  QComboBox* dtype_;
  QPushButton *browseFile_, *browseOut_, *import_, *cancel_, *useAsBase_, *openFolder_, *close_;
  QProgressBar* progress_;
  QTextBrowser* result_;
  bool readable_ = false;    // the chosen file's header parsed
  bool outEdited_ = false;   // the user typed or chose a folder: stop suggesting one
  bool closeWhenDone_ = false;
  bool running_ = false;
  QString outcome_;
  QString lastOut_;
  std::shared_ptr<std::atomic<bool>> cancelFlag_;
  QFutureWatcher<std::shared_ptr<Outcome>> watcher_;
};

}  // namespace fts::ui
