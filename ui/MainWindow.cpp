#include "ui/MainWindow.h"

#include "core/train/TrainConfig.h"
#include "core/util/Runtime.h"
#include "core/runs/RunPaths.h"
#include "ui/AugmentationPanel.h"
#include "ui/DatasetPanel.h"
#include "ui/ExportDialog.h"
#include "ui/ImportGgufDialog.h"
#include "ui/TrainingController.h"
#include "ui/TrainingPanel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace fts::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  controller_ = new TrainingController(this);
  dataset_ = new DatasetPanel(this);
  dataset_->setObjectName("datasetPanel");
  training_ = new TrainingPanel(controller_, this);
  training_->setObjectName("trainingPanel");

  // Slow BLAS makes everything 15-30x slower: say so where nobody can miss it.
  blasBanner_ = new QLabel(this);
  blasBanner_->setObjectName("blasBanner");
  blasBanner_->setWordWrap(true);
  blasBanner_->setStyleSheet("QLabel { background: #fde2e1; color: #8a1c1c; padding: 6px; border: 1px solid #e0a0a0; }");
  const BlasInfo blas = probeBlas();
  blasBanner_->setText(QString::fromStdString(blas.warning));
  blasBanner_->setVisible(blas.slow);

  auto* split = new QSplitter(Qt::Horizontal, this);
  // The Augmentation panel works on the dataset the Dataset panel has open: a tab beside it.
  auto* dataTabs = new QTabWidget(this);
  dataTabs->setObjectName("dataTabs");
  dataTabs->addTab(dataset_, tr("Dataset"));
  auto* augmentation = new AugmentationPanel(dataset_, this);
  augmentation->setObjectName("augmentationPanel");
  dataTabs->addTab(augmentation, tr("Augmentation"));
  connect(augmentation, &AugmentationPanel::trainingAugmentationChosen, training_, &TrainingPanel::setAugmentation);
  split->addWidget(dataTabs);
  split->addWidget(training_);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  // Variants side by side need width: the Augmentation tab takes more of the window while it is
  // shown, and gives it back when the Dataset tab returns.
  connect(dataTabs, &QTabWidget::currentChanged, this, [split, dataTabs, augmentation, saved = QList<int>()](int) mutable {
    if (dataTabs->currentWidget() == augmentation) {
      saved = split->sizes();
      const int total = saved.value(0) + saved.value(1);
      split->setSizes({total * 3 / 5, total - total * 3 / 5});
    } else if (!saved.isEmpty()) {
      split->setSizes(saved);
    }
  });

  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(blasBanner_);
  layout->addWidget(split, 1);
  setCentralWidget(central);

  auto* file = menuBar()->addMenu(tr("&File"));
  auto* openProject = file->addAction(tr("Open &Project…"), this, &MainWindow::chooseProject);
  openProject->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
  auto* openData = file->addAction(tr("&Open Data…"), this, &MainWindow::chooseData);
  openData->setShortcut(QKeySequence::Open);
  auto* exportRun = file->addAction(tr("&Export Run…"), this, &MainWindow::openExportDialog);
  exportRun->setObjectName("exportRunAction");
  exportRun->setShortcut(QKeySequence(tr("Ctrl+E")));
  exportRun->setToolTip(tr("Export a run as a Hugging Face folder, a PEFT adapter, a merged model or GGUF, verified after writing"));
  // File > Import GGUF…: the imported folder can become the Training panel's base model.
  auto* importGguf = file->addAction(tr("&Import GGUF…"), this, [this] {
    auto* dialog = new ImportGgufDialog(QString::fromStdString(studioHome().string()), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ImportGgufDialog::useAsBaseModel, this, [this](const QString& folder) {
      if (auto* base = training_->findChild<QLineEdit*>(QStringLiteral("baseModel"))) base->setText(folder);
    });
    dialog->open();
  });
  importGguf->setObjectName("importGgufAction");
  importGguf->setToolTip(tr("Convert a llama.cpp GGUF file into a Hugging Face model folder to fine-tune"));
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
  auto* run = menuBar()->addMenu(tr("&Run"));
  run->addAction(tr("&Train"), QKeySequence(tr("Ctrl+R")), training_, &TrainingPanel::startTraining);
  run->addAction(tr("&Stop"), QKeySequence(tr("Ctrl+.")), controller_, &TrainingController::stop);
  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About"), this, [this] {
    QMessageBox::about(this, tr("About Fine-tuning Studio"),
                       tr("<b>Fine-tuning Studio</b> %1<br>Fine-tune language models on your workstation.<br>"
                          "LibTorch threads: %2 · BLAS: %3")
                           .arg(QApplication::applicationVersion())
                           .arg(currentThreads())
                           .arg(QString::fromStdString(probeBlas().name)));
  });

  auto* tools = addToolBar(tr("Main"));
  tools->setObjectName("mainToolbar");
  tools->setMovable(false);
  tools->addAction(openProject);
  tools->addAction(openData);
  tools->addAction(exportRun);

  // The dataset's "over max length" figures follow the run's max length as the user edits it.
  dataset_->setMaxLength(training_->config().data.max_len);
  connect(training_, &TrainingPanel::maxLengthChanged, dataset_, &DatasetPanel::setMaxLength);
  training_->setErrorPolicy(dataset_->errorPolicy());
  connect(dataset_, &DatasetPanel::errorPolicyChanged, training_, &TrainingPanel::setErrorPolicy);
  connect(dataset_, &DatasetPanel::loaded, this, [this](const QString& path) {
    training_->setDataFile(path, dataset_->textColumn(), dataset_->labelColumn());
    statusBar()->showMessage(tr("Loaded %1").arg(path), 5000);
  });
  connect(dataset_, &DatasetPanel::failed, this, [this](const QString& path, const QString&) {
    statusBar()->showMessage(tr("Cannot use %1: see the problems under the table").arg(path), 8000);
  });
  statusBar()->showMessage(tr("LibTorch threads: %1 · BLAS: %2").arg(currentThreads()).arg(QString::fromStdString(blas.name)));
  setProjectName({});
  resize(1280, 780);
}

void MainWindow::setProjectName(const QString& name) {
  setWindowTitle(name.isEmpty() ? tr("Fine-tuning Studio") : tr("%1 — Fine-tuning Studio").arg(name));
}

bool MainWindow::openPath(const QString& path, bool quiet) {
  if (path.endsWith(QLatin1String(".ftproject"), Qt::CaseInsensitive)) return openProject(path, quiet);
  if (!QFileInfo::exists(path)) {
    if (!quiet) QMessageBox::warning(this, tr("Cannot open"), tr("%1: no such file").arg(path));
    return false;
  }
  openData(path);
  return true;
}

bool MainWindow::openProject(const QString& path, bool quiet) {
  try {
    const ProjectFile project = ProjectFile::load(path.toStdString());
    training_->setConfig(project.config);
    dataset_->setErrorPolicy(QString::fromStdString(project.config.data.on_error));
    setProjectName(QString::fromStdString(project.name));
    if (!project.config.data.train.empty()) {
      dataset_->setColumns(QString::fromStdString(project.config.data.text_col), QString::fromStdString(project.config.data.label_col));
      // The project's validation and test files are checked for rows of the training file.
      dataset_->open(QString::fromStdString(project.config.data.train), {},
                     {QString::fromStdString(project.config.data.validation), QString::fromStdString(project.config.data.test)});
    }
    return true;
  } catch (const std::exception& e) {
    if (!quiet) QMessageBox::warning(this, tr("Cannot open project"), QString::fromStdString(e.what()));
    statusBar()->showMessage(QString::fromStdString(e.what()));
    return false;
  }
}

void MainWindow::openData(const QString& path) { dataset_->open(path); }

ExportDialog* MainWindow::openExportDialog() {
  auto* dialog = new ExportDialog(QString::fromStdString(studioHome().string()), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  const std::string& last = controller_->lastSummary().runId;
  if (!last.empty()) dialog->selectRun(QString::fromStdString(last));
  dialog->open();
  return dialog;
}

void MainWindow::chooseData() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open data"), {},
                                                    tr("Data files (*.csv *.tsv *.txt *.jsonl);;All files (*)"));
  if (!path.isEmpty()) openData(path);
}

void MainWindow::chooseProject() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open project"), {}, tr("Projects (*.ftproject)"));
  if (!path.isEmpty()) openProject(path);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (controller_->isActive()) {
    const auto answer = QMessageBox::question(this, tr("Training is running"),
                                              tr("Stop the run and quit? Its metrics so far stay in its run folder."));
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
    controller_->stop();
  }
  event->accept();
}

}  // namespace fts::ui
