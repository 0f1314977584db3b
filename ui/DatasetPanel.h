#pragma once
// The Dataset panel: open a data file, parse it off the GUI thread, show its rows and classes, its
// profile (lengths against the run's max length, duplicates, CJK share), and leakage: rows of the
// project's validation and test files that also occur in the training file.
#include "core/data/DatasetLoader.h"
#include "core/data/DatasetProfile.h"

#include <QFutureWatcher>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;
class QPlainTextEdit;

namespace fts::ui {

class DatasetPanel : public QWidget {
  Q_OBJECT
 public:
  // Files held out from training (a project's data.validation and data.test): checked for rows
  // that also occur in the training file.
  struct HeldOutFiles {
    QString validation, test;
  };
  // What the check found in one held-out file.
  struct LeakageCheck {
    QString split;          // "validation" or "test"
    QString path;
    qint64 rows = 0;        // rows of the held-out file
    qint64 exact = 0;       // of them, found verbatim in the training file
    qint64 normalized = 0;  // found after normalizing (exact ones included)
    QStringList examples;   // "test.csv:3 = train.csv:17: “text…”", the first few
    QString error;          // the file could not be read (then nothing else is set)
  };

  explicit DatasetPanel(QWidget* parent = nullptr);

  // Starts loading in a worker (with the leakage check of heldOut); loaded() or failed() follows.
  void open(const QString& path, const fts::data::LoadOptions& options = {}, const HeldOutFiles& heldOut = {});
  QString path() const { return path_; }
  bool isLoading() const { return watcher_.isRunning(); }
  const fts::data::LoadResult* result() const { return result_.get(); }
  const fts::data::DatasetProfile* profile() const { return profile_.get(); }
  // The columns the user chose (empty: detected), for the run's data.text_col / data.label_col.
  QString textColumn() const;
  QString labelColumn() const;
  void setColumns(const QString& text, const QString& label);
  // data.on_error for training: "stop" or "skip".
  QString errorPolicy() const;
  void setErrorPolicy(const QString& policy);
  QTableWidget* table() const { return table_; }

  // The run's max length in tokens: the profile's "over max length" figures follow it, recounted
  // from the lengths the worker measured (no parsing here).
  void setMaxLength(int tokens);
  int maxLength() const { return maxLength_; }
  // Rows longer than maxLength() (-1 before a file is loaded).
  qint64 overMaxLength() const;
  QLabel* profileLabel() const { return profileText_; }
  QPlainTextEdit* problemsView() const { return problems_; }

  const QVector<LeakageCheck>& leakage() const { return leakage_; }
  QLabel* leakageLabel() const { return leakageText_; }

 signals:
  void errorPolicyChanged(const QString& policy);
  void loaded(const QString& path);
  void failed(const QString& path, const QString& message);

 private:
  struct Outcome {
    std::shared_ptr<fts::data::LoadResult> result;
    std::shared_ptr<fts::data::DatasetProfile> profile;
    QVector<LeakageCheck> leakage;
    QString error;
  };
  void show(const Outcome& outcome);
  void showProfile();   // the figures that depend on the max length, and the problem list
  void showLeakage();

  QString path_;
  HeldOutFiles heldOut_;
  int maxLength_ = 128;
  QLabel* summary_;
  QLabel* profileText_;
  QLabel* leakageText_;
  QLineEdit *textCol_, *labelCol_;
  QComboBox* errorPolicy_;
  QTableWidget* table_;
  QPlainTextEdit* problems_;
  QFutureWatcher<Outcome> watcher_;
  std::shared_ptr<fts::data::LoadResult> result_;
  std::shared_ptr<fts::data::DatasetProfile> profile_;
  QVector<LeakageCheck> leakage_;
};

}  // namespace fts::ui
