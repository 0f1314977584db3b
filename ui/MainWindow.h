#pragma once
// The main window: dataset on the left, training on the right, with the project's name on top.
#include <QMainWindow>

class QLabel;

namespace fts::ui {

class DatasetPanel;
class ExportDialog;
class TrainingController;
class TrainingPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  // Opens a project file (*.ftproject) or a data file, by extension. Returns false (with a message
  // box unless quiet) when the file cannot be used.
  bool openPath(const QString& path, bool quiet = false);
  bool openProject(const QString& path, bool quiet = false);
  void openData(const QString& path);
  // File > Export Run…: the Export dialog on the run store, the last run trained here selected.
  ExportDialog* openExportDialog();

  DatasetPanel* datasetPanel() const { return dataset_; }
  TrainingPanel* trainingPanel() const { return training_; }
  TrainingController* controller() const { return controller_; }
  QLabel* blasBanner() const { return blasBanner_; }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void chooseData();
  void chooseProject();
  void setProjectName(const QString& name);

  TrainingController* controller_;
  DatasetPanel* dataset_;
  TrainingPanel* training_;
  QLabel* blasBanner_;
};

}  // namespace fts::ui
