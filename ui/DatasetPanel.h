#pragma once
// The Dataset panel: open a data file, parse it off the GUI thread, show its rows and classes.
#include "core/data/DatasetLoader.h"
#include "core/data/DatasetProfile.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QTableWidget;
class QPlainTextEdit;

namespace fts::ui {

class DatasetPanel : public QWidget {
  Q_OBJECT
 public:
  explicit DatasetPanel(QWidget* parent = nullptr);

  // Starts loading in a worker; loaded() or failed() follows.
  void open(const QString& path, const fts::data::LoadOptions& options = {});
  QString path() const { return path_; }
  bool isLoading() const { return watcher_.isRunning(); }
  const fts::data::LoadResult* result() const { return result_.get(); }
  const fts::data::DatasetProfile* profile() const { return profile_.get(); }
  // The columns the user chose (empty: detected), for the run's data.text_col / data.label_col.
  QString textColumn() const;
  QString labelColumn() const;
  void setColumns(const QString& text, const QString& label);
  QTableWidget* table() const { return table_; }

 signals:
  void loaded(const QString& path);
  void failed(const QString& path, const QString& message);

 private:
  struct Outcome {
    std::shared_ptr<fts::data::LoadResult> result;
    std::shared_ptr<fts::data::DatasetProfile> profile;
    QString error;
  };
  void show(const Outcome& outcome);

  QString path_;
  QLabel* summary_;
  QLabel* profileText_;
  QLineEdit *textCol_, *labelCol_;
  QTableWidget* table_;
  QPlainTextEdit* problems_;
  QFutureWatcher<Outcome> watcher_;
  std::shared_ptr<fts::data::LoadResult> result_;
  std::shared_ptr<fts::data::DatasetProfile> profile_;
};

}  // namespace fts::ui
