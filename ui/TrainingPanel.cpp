#include "ui/TrainingPanel.h"

#include "core/io/ModelCatalog.h"
#include "core/runs/EvalReport.h"
#include "ui/ModelPickerButton.h"
#include "ui/TrainingController.h"
#include "widgets/AdaptivePairView.h"
#include "widgets/ClassMetricsTable.h"
#include "widgets/ConfusionMatrixView.h"
#include "widgets/MetricPlot.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <cmath>
#include <exception>
#include <filesystem>

namespace fts::ui {
namespace {

// Reads the shape of the Hugging Face model folder `folder` (a decoder or an encoder) into the three
// fields, as the model picker describes it; a folder it cannot read leaves them as they are (the run
// will say what is wrong).
void showBaseModelShape(const QString& folder, QSpinBox* hidden, QSpinBox* layers, QSpinBox* heads) {
  try {
    const ModelFolderInfo info = describeModelFolder(std::filesystem::path(folder.toStdString()), /*countParameters=*/false);
    hidden->setValue(info.hiddenSize);
    layers->setValue(info.layers);
    heads->setValue(info.heads);
  } catch (const std::exception&) {
  }
}

QSpinBox* spin(int lo, int hi, int step, QWidget* parent, const QString& special = {}) {
  auto* s = new QSpinBox(parent);
  s->setRange(lo, hi);
  s->setSingleStep(step);
  if (!special.isEmpty()) s->setSpecialValueText(special);
  return s;
}

QString duration(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return QStringLiteral("--:--");
  const long t = std::lround(seconds);
  if (t >= 3600) return QStringLiteral("%1:%2:%3").arg(t / 3600).arg((t / 60) % 60, 2, 10, QChar('0')).arg(t % 60, 2, 10, QChar('0'));
  return QStringLiteral("%1:%2").arg(t / 60, 2, 10, QChar('0')).arg(t % 60, 2, 10, QChar('0'));
}

}  // namespace

TrainingPanel::TrainingPanel(TrainingController* controller, QWidget* parent) : QWidget(parent), controller_(controller) {
  // ---- Settings ------------------------------------------------------------------------------
  auto* settings = new QGroupBox(tr("Run settings"), this);
  auto* form = new QFormLayout(settings);
  task_ = new QComboBox(settings);
  task_->setObjectName("task");
  task_->addItem(tr("From the data"), QString());
  task_->addItem(tr("Classification"), QStringLiteral("cls"));
  task_->addItem(tr("Causal language model"), QStringLiteral("lm"));
  // BERT's objective on the data's texts: continued pretraining of an encoder base model.
  task_->addItem(tr("Masked language model (encoders)"), QStringLiteral("mlm"));
  steps_ = spin(0, 10'000'000, 10, settings, tr("by epochs"));
  epochs_ = spin(1, 1000, 1, settings);
  batch_ = spin(1, 4096, 1, settings);
  lr_ = new QDoubleSpinBox(settings);
  lr_->setDecimals(6);
  lr_->setRange(1e-6, 1.0);
  lr_->setSingleStep(1e-4);
  hidden_ = spin(16, 4096, 16, settings);
  hidden_->setObjectName("hiddenSize");
  layers_ = spin(0, 64, 1, settings);
  layers_->setObjectName("layers");
  heads_ = spin(1, 64, 1, settings);
  heads_->setObjectName("heads");
  maxLen_ = spin(8, 8192, 8, settings);
  evalEvery_ = spin(0, 1'000'000, 10, settings, tr("epoch ends"));
  threads_ = spin(0, 256, 1, settings, tr("all cores"));
  form->addRow(tr("Task"), task_);
  form->addRow(tr("Steps"), steps_);
  form->addRow(tr("Epochs"), epochs_);
  form->addRow(tr("Batch size"), batch_);
  form->addRow(tr("Learning rate"), lr_);
  form->addRow(tr("Hidden size"), hidden_);
  form->addRow(tr("Layers"), layers_);
  form->addRow(tr("Heads"), heads_);
  form->addRow(tr("Max tokens"), maxLen_);
  form->addRow(tr("Evaluate every"), evalEvery_);
  form->addRow(tr("Threads"), threads_);

  // Where the model starts and which of its weights train.
  auto* method = new QGroupBox(tr("Model and method"), this);
  auto* mform = new QFormLayout(method);
  baseModel_ = new QLineEdit(method);
  baseModel_->setObjectName("baseModel");
  baseModel_->setPlaceholderText(tr("none: train from scratch"));
  auto* browse = new QPushButton(tr("Browse…"), method);
  auto* picker = new ModelPickerButton(method);
  connect(picker, &ModelPickerButton::picked, baseModel_, &QLineEdit::setText);
  auto* baseRow = new QHBoxLayout;
  baseRow->addWidget(baseModel_, 1);
  baseRow->addWidget(picker);
  baseRow->addWidget(browse);
  method_ = new QComboBox(method);
  method_->setObjectName("method");
  method_->addItem(tr("Full fine-tuning"), QStringLiteral("full"));
  method_->addItem(tr("Frozen lower layers"), QStringLiteral("frozen"));
  method_->addItem(tr("LoRA adapters"), QStringLiteral("lora"));
  // Baselines a fine-tuned network has to beat, trained and scored the same way (seconds).
  method_->addItem(tr("Baseline: bag of words (naive Bayes)"), QStringLiteral("bow"));
  method_->addItem(tr("Baseline: majority class"), QStringLiteral("majority"));
  loraRank_ = spin(1, 256, 1, method);
  freezeLayers_ = spin(0, 64, 1, method);
  patience_ = spin(0, 1000, 1, method, tr("off"));
  mform->addRow(tr("Base model"), baseRow);
  mform->addRow(tr("Method"), method_);
  mform->addRow(tr("LoRA rank"), loraRank_);
  mform->addRow(tr("Frozen layers"), freezeLayers_);
  mform->addRow(tr("Early stopping"), patience_);
  augmentation_ = new QLabel(method);
  augmentation_->setObjectName("augmentationSummary");
  augmentation_->setText(tr("off"));
  augmentation_->setWordWrap(true);
  augmentation_->setToolTip(tr("Set from the Augmentation tab (Use in training) or the project file's augment.* settings"));
  mform->addRow(tr("Augmentation"), augmentation_);
  patience_->setToolTip(tr("Evaluations without improvement of the validation loss before training stops"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Base model folder (config.json, model.safetensors, tokenizer.model or tokenizer.json)"));
    if (!dir.isEmpty()) baseModel_->setText(dir);
  });
  auto syncMethod = [this] {
    const QString m = method_->currentData().toString();
    const bool baseline = m == "bow" || m == "majority";
    loraRank_->setEnabled(m == "lora");
    freezeLayers_->setEnabled(m == "frozen");
    // A base model brings its own shape; a baseline has no network at all.
    const bool shapeMatters = !baseline && baseModel_->text().trimmed().isEmpty();
    for (QSpinBox* s : {hidden_, layers_, heads_}) {
      s->setEnabled(shapeMatters);
      s->setToolTip(shapeMatters ? QString() : baseline ? tr("A baseline has no network") : tr("Set by the base model"));
    }
    // Greyed because the base model decides them: show what it decides, not the project's numbers.
    if (!baseline && !shapeMatters) showBaseModelShape(baseModel_->text().trimmed(), hidden_, layers_, heads_);
  };
  connect(method_, &QComboBox::currentIndexChanged, this, syncMethod);
  connect(baseModel_, &QLineEdit::textChanged, this, syncMethod);
  syncMethod();

  train_ = new QPushButton(tr("Train"), this);
  train_->setObjectName("trainButton");
  train_->setDefault(true);
  pause_ = new QPushButton(tr("Pause"), this);
  pause_->setObjectName("pauseButton");
  pause_->setCheckable(true);
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setObjectName("stopButton");
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(train_);
  buttons->addWidget(pause_);
  buttons->addWidget(stop_);

  auto* left = new QVBoxLayout;
  left->addWidget(settings);
  left->addWidget(method);
  left->addLayout(buttons);
  left->addStretch(1);

  // ---- Progress, plots, log -----------------------------------------------------------------
  progress_ = new QProgressBar(this);
  progress_->setObjectName("trainProgress");
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progressLabel_ = new QLabel(tr("Idle"), this);
  progressLabel_->setObjectName("progressLabel");
  lossPlot_ = new MetricPlot(this);
  lossPlot_->setObjectName("lossPlot");
  lossPlot_->addSeries("train/loss", tr("train loss"), QColor(31, 119, 180));
  lossPlot_->addSeries("val/loss", tr("validation loss"), QColor(214, 39, 40));
  lossPlot_->setAxisLabels(tr("step"), tr("loss"));
  qualityPlot_ = new MetricPlot(this);
  qualityPlot_->setObjectName("qualityPlot");
  qualityPlot_->addSeries("val/accuracy", tr("validation accuracy"), QColor(44, 160, 44));
  qualityPlot_->addSeries("val/macro_f1", tr("validation macro-F1"), QColor(148, 103, 189));
  qualityPlot_->addSeries("val/perplexity", tr("validation perplexity"), QColor(255, 127, 14), /*rightAxis=*/true);
  qualityPlot_->setAxisLabels(tr("step"), tr("accuracy / F1"), tr("perplexity"));
  qualityPlot_->setLegendCorner(Qt::AlignBottom | Qt::AlignRight);  // accuracy rises
  log_ = new QPlainTextEdit(this);
  log_->setObjectName("runLog");
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);

  auto* curves = new QSplitter(Qt::Vertical, this);
  curves->addWidget(lossPlot_);
  curves->addWidget(qualityPlot_);
  curves->setStretchFactor(0, 3);
  curves->setStretchFactor(1, 2);

  // Per class: the newest evaluation's confusion matrix beside its per-class table.
  perClassTab_ = new QWidget(this);
  perClassTab_->setObjectName("perClassTab");
  reportTitle_ = new QLabel(perClassTab_);  // text set by clearReports()
  reportTitle_->setObjectName("evalReportTitle");
  reportTitle_->setWordWrap(true);
  reportTitle_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  reportChoice_ = new QComboBox(perClassTab_);
  reportChoice_->setObjectName("evalReportChoice");
  reportChoice_->setToolTip(tr("The newest validation report, or the test report after the run"));
  reportChoice_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  reportChoice_->setVisible(false);
  // Matrix and table side by side when the panel is wide enough (a maximised window), else the
  // table under the matrix; the tab scrolls rather than cutting either.
  confusion_ = new ConfusionMatrixView;
  confusion_->setObjectName("confusionMatrix");
  classTable_ = new ClassMetricsTable;
  classTable_->setObjectName("classMetrics");
  classTable_->setShowAllRows(true);
  auto* perClassView = new AdaptivePairView(confusion_, classTable_, perClassTab_);
  perClassView->setObjectName("perClassView");
  auto* reportRow = new QHBoxLayout;
  reportRow->addWidget(reportTitle_, 1);
  reportRow->addWidget(reportChoice_);
  auto* perClassLayout = new QVBoxLayout(perClassTab_);
  perClassLayout->setContentsMargins(4, 4, 4, 4);
  perClassLayout->addLayout(reportRow);
  perClassLayout->addWidget(perClassView, 1);
  connect(reportChoice_, &QComboBox::activated, this, [this](int i) { showReport(reportChoice_->itemData(i).toString()); });

  tabs_ = new QTabWidget(this);
  tabs_->setObjectName("resultTabs");
  tabs_->addTab(curves, tr("Curves"));
  tabs_->addTab(perClassTab_, tr("Per class"));

  auto* plots = new QSplitter(Qt::Vertical, this);
  plots->addWidget(tabs_);
  plots->addWidget(log_);
  plots->setStretchFactor(0, 3);
  plots->setStretchFactor(1, 1);

  auto* right = new QVBoxLayout;
  auto* progressRow = new QHBoxLayout;
  progressRow->addWidget(progress_, 1);
  progressRow->addWidget(progressLabel_);
  right->addLayout(progressRow);
  right->addWidget(plots, 1);

  auto* layout = new QHBoxLayout(this);
  layout->addLayout(left, 0);
  layout->addLayout(right, 1);

  connect(train_, &QPushButton::clicked, this, &TrainingPanel::startTraining);
  connect(stop_, &QPushButton::clicked, controller_, &TrainingController::stop);
  connect(pause_, &QPushButton::toggled, controller_, &TrainingController::setPaused);
  connect(controller_, &TrainingController::metrics, this, &TrainingPanel::onMetrics);
  connect(controller_, &TrainingController::progress, this, &TrainingPanel::onProgress);
  connect(controller_, &TrainingController::stateChanged, this, &TrainingPanel::onState);
  connect(controller_, &TrainingController::logLine, this, &TrainingPanel::onLog);
  connect(controller_, &TrainingController::evalReport, this, &TrainingPanel::onEvalReport);
  clearReports();
  connect(maxLen_, &QSpinBox::valueChanged, this, &TrainingPanel::maxLengthChanged);
  connect(controller_, &TrainingController::finished, this, [this](const TrainSummary& s) {
    QStringList parts;
    for (const auto& [k, v] : s.metrics) parts << QStringLiteral("%1 %2").arg(QString::fromStdString(k)).arg(v, 0, 'f', 4);
    onLog(0, tr("%1 after %2 steps: %3").arg(stateText(s.state)).arg(s.steps).arg(parts.join("  ")));
    updateButtons();
  });
  setConfig(TrainConfig{});
  updateButtons();
}

QString TrainingPanel::stateText(TrainerState state) {
  switch (state) {
    case TrainerState::Idle: return tr("Idle");
    case TrainerState::Preparing: return tr("Preparing");
    case TrainerState::Running: return tr("Running");
    case TrainerState::Paused: return tr("Paused");
    case TrainerState::Finished: return tr("Finished");
    case TrainerState::Stopped: return tr("Stopped");
    case TrainerState::Failed: return tr("Failed");
  }
  return {};
}

void TrainingPanel::setAugmentation(const TrainConfig::Augment& a) {
  base_.augment = a;
  augmentation_->setText(a.mode == "off" || a.mode.empty()
                             ? tr("off")
                             : tr("%1: %2, %n variant(s) per row", "", a.n)
                                   .arg(a.mode == "online" ? tr("online") : tr("offline"), QString::fromStdString(a.ops)));
}

void TrainingPanel::setConfig(const TrainConfig& c) {
  base_ = c;
  setAugmentation(c.augment);
  task_->setCurrentIndex(std::max(0, task_->findData(QString::fromStdString(c.task))));
  steps_->setValue(c.train.steps);
  epochs_->setValue(c.train.epochs);
  batch_->setValue(c.train.batch_size);
  lr_->setValue(c.train.lr);
  hidden_->setValue(c.model.hidden_size);
  layers_->setValue(c.model.layers);
  heads_->setValue(c.model.heads);
  maxLen_->setValue(c.data.max_len);
  evalEvery_->setValue(c.train.eval_every);
  threads_->setValue(c.train.threads);
  baseModel_->setText(QString::fromStdString(c.model.base));
  method_->setCurrentIndex(method_->findData(c.model.type != "llama"  ? QString::fromStdString(c.model.type)
                                             : c.model.lora_rank > 0 ? QStringLiteral("lora")
                                             : (c.model.freeze_layers > 0 || c.model.freeze_embeddings) ? QStringLiteral("frozen")
                                                                                                         : QStringLiteral("full")));
  loraRank_->setValue(c.model.lora_rank > 0 ? c.model.lora_rank : 8);
  freezeLayers_->setValue(c.model.freeze_layers);
  patience_->setValue(c.train.early_stopping_patience);
  if (!c.data.train.empty()) dataFile_ = QString::fromStdString(c.data.train);
  updateButtons();
}

TrainConfig TrainingPanel::config() const {
  TrainConfig c = base_;
  c.task = task_->currentData().toString().toStdString();
  c.train.steps = steps_->value();
  c.train.epochs = epochs_->value();
  c.train.batch_size = batch_->value();
  c.train.lr = lr_->value();
  c.model.hidden_size = hidden_->value();
  c.model.layers = layers_->value();
  c.model.heads = heads_->value();
  c.data.max_len = maxLen_->value();
  c.train.eval_every = evalEvery_->value();
  c.train.threads = threads_->value();
  c.model.base = baseModel_->text().trimmed().toStdString();
  const QString m = method_->currentData().toString();
  c.model.type = m == "bow" || m == "majority" ? m.toStdString() : std::string("llama");
  c.model.lora_rank = m == "lora" ? loraRank_->value() : 0;
  c.model.freeze_layers = m == "frozen" ? freezeLayers_->value() : 0;
  c.model.freeze_embeddings = m == "frozen" && freezeLayers_->value() > 0 ? c.model.freeze_embeddings : false;
  c.train.early_stopping_patience = patience_->value();
  c.data.train = dataFile_.toStdString();
  return c;
}

void TrainingPanel::setErrorPolicy(const QString& policy) { base_.data.on_error = policy.toStdString(); }

void TrainingPanel::setDataFile(const QString& path, const QString& textColumn, const QString& labelColumn) {
  if (path != dataFile_) {
    // Another file: the validation and test files of a project no longer belong to it.
    base_.data.validation.clear();
    base_.data.test.clear();
  }
  dataFile_ = path;
  base_.data.text_col = textColumn.toStdString();
  base_.data.label_col = labelColumn.toStdString();
  updateButtons();
}

void TrainingPanel::startTraining() {
  if (controller_->isActive() || dataFile_.isEmpty()) return;
  lossPlot_->clear();
  qualityPlot_->clear();
  clearReports();
  log_->clear();
  progress_->setRange(0, 1);
  progress_->setValue(0);
  pause_->setChecked(false);
  controller_->start(config());
  updateButtons();
}

void TrainingPanel::onMetrics(const std::vector<MetricEvent>& batch) {
  for (const auto& m : batch) {
    const QString name = QString::fromStdString(m.name);
    lossPlot_->append(name, static_cast<double>(m.step), m.value);
    qualityPlot_->append(name, static_cast<double>(m.step), m.value);
  }
  // One replot per plot per tick, whatever the number of points.
  lossPlot_->flush();
  qualityPlot_->flush();
}

void TrainingPanel::onEvalReport(const EvalReportEvent& report) {
  reports_[report.split] = report;
  // One entry per split, in a fixed order; the newest report is the one shown.
  reportChoice_->clear();
  for (const char* split : {"validation", "test"}) {
    auto it = reports_.find(split);
    if (it == reports_.end()) continue;
    const QString label = it->first == "test" ? tr("Test set, after the run") : tr("Validation, step %1").arg(it->second.step);
    reportChoice_->addItem(label, QString::fromLatin1(split));
  }
  reportChoice_->setVisible(reportChoice_->count() > 1);
  showReport(QString::fromStdString(report.split));
}

void TrainingPanel::showReport(const QString& split) {
  auto it = reports_.find(split.toStdString());
  if (it == reports_.end()) return;
  const EvalReportEvent& r = it->second;
  shownSplit_ = split;
  reportChoice_->setCurrentIndex(reportChoice_->findData(split));

  const QString what = split == QLatin1String("test") ? tr("Test set after the run (step %1)").arg(r.step)
                       : split == QLatin1String("validation")
                           ? tr("Validation at step %1 (epoch %2)").arg(r.step).arg(r.epoch, 0, 'f', 2)
                           : tr("%1 at step %2").arg(QString::fromStdString(r.split)).arg(r.step);
  reportTitle_->setText(tr("<b>%1</b><br>accuracy %2 · macro-F1 %3 · weighted-F1 %4")
                            .arg(what.toHtmlEscaped())
                            .arg(r.accuracy, 0, 'f', 3)
                            .arg(r.macroF1, 0, 'f', 3)
                            .arg(r.weightedF1, 0, 'f', 3));

  QStringList labels;
  QVector<ClassMetricsRow> rows;
  for (size_t c = 0; c < r.labels.size(); ++c) {
    labels << QString::fromStdString(r.labels[c]);
    rows.append({labels.back(), r.precision.at(c), r.recall.at(c), r.f1.at(c), static_cast<qint64>(r.support.at(c))});
  }
  QVector<QVector<qint64>> counts;
  for (const auto& row : r.confusion) counts.append(QVector<qint64>(row.begin(), row.end()));
  confusion_->setMatrix(labels, counts);
  const ClassAverages macro = macroAverages(r), weighted = weightedAverages(r);
  // Empty labels: the table names its average rows itself.
  classTable_->setMetrics(rows, {QString(), macro.precision, macro.recall, r.macroF1, macro.support},
                          {QString(), weighted.precision, weighted.recall, r.weightedF1, weighted.support});
  tabs_->setTabText(tabs_->indexOf(perClassTab_), split == QLatin1String("test") ? tr("Per class (test)")
                                                                                 : tr("Per class (step %1)").arg(r.step));
}

void TrainingPanel::clearReports() {
  reports_.clear();
  shownSplit_.clear();
  reportChoice_->clear();
  reportChoice_->setVisible(false);
  confusion_->clear();
  classTable_->clear();
  reportTitle_->setText(tr("No evaluation yet: classification runs show per-class figures and the confusion matrix "
                           "here at each evaluation."));
  tabs_->setTabText(tabs_->indexOf(perClassTab_), tr("Per class"));
}

void TrainingPanel::onProgress(const ProgressEvent& p) {
  progress_->setRange(0, static_cast<int>(std::max<std::int64_t>(1, p.totalSteps)));
  progress_->setValue(static_cast<int>(p.step));
  progressLabel_->setText(tr("step %1 / %2 · epoch %3 · %4 tok/s · ETA %5")
                              .arg(p.step)
                              .arg(p.totalSteps)
                              .arg(p.epoch, 0, 'f', 2)
                              .arg(p.tokensPerSecond, 0, 'f', 0)
                              .arg(duration(p.etaSeconds)));
}

void TrainingPanel::onState(TrainerState state, const QString& reason) {
  switch (state) {
    case TrainerState::Preparing: progressLabel_->setText(tr("Preparing: reading data, training the tokenizer …")); break;
    case TrainerState::Paused: progressLabel_->setText(tr("Paused")); break;
    case TrainerState::Stopped: progressLabel_->setText(tr("Stopped: %1").arg(reason)); break;
    case TrainerState::Failed: progressLabel_->setText(tr("Failed")); break;
    case TrainerState::Finished: progressLabel_->setText(progressLabel_->text().replace(QRegularExpression(" · ETA .*$"), QString()) + tr(" · done")); break;
    default: break;
  }
  updateButtons();
}

void TrainingPanel::onLog(int level, const QString& message) {
  const QString prefix = level == 2 ? tr("error: ") : level == 1 ? tr("warning: ") : QString();
  log_->appendPlainText(prefix + message);
}

void TrainingPanel::updateButtons() {
  const bool active = controller_->isActive();
  train_->setEnabled(!active && !dataFile_.isEmpty());
  train_->setToolTip(dataFile_.isEmpty() ? tr("Open a data file first") : tr("Train on %1").arg(dataFile_));
  pause_->setEnabled(active);
  stop_->setEnabled(active);
}

}  // namespace fts::ui
