#include "ui/ExportDialog.h"

#include "core/export/ExportSource.h"
#include "core/export/Exporter.h"
#include "core/runs/RunStore.h"

#include <QApplication>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

#include <filesystem>
#include <optional>

namespace fts::ui {
namespace {

constexpr int kIdRole = Qt::UserRole;
constexpr int kDirRole = Qt::UserRole + 1;
constexpr int kStatusRole = Qt::UserRole + 2;

const ExportFormat kFormats[] = {ExportFormat::HuggingFace, ExportFormat::Merged, ExportFormat::Peft, ExportFormat::Gguf};
const ExportDtype kDtypes[] = {ExportDtype::F32, ExportDtype::F16, ExportDtype::BF16, ExportDtype::Q8_0};

QString qs(const std::string& s) { return QString::fromStdString(s); }
QString figure(double v) { return QString::number(v, 'g', 3); }

void setItemEnabled(QComboBox* box, int index, bool enabled, const QString& tip) {
  auto* model = qobject_cast<QStandardItemModel*>(box->model());
  if (auto* item = model ? model->item(index) : nullptr) {
    item->setEnabled(enabled);
    item->setToolTip(tip);
  }
}

bool itemEnabled(QComboBox* box, int index) {
  auto* model = qobject_cast<QStandardItemModel*>(box->model());
  auto* item = model ? model->item(index) : nullptr;
  return item && item->isEnabled();
}

bool busyStatus(const QString& status) { return status == "created" || status == "preparing" || status == "running"; }

}  // namespace

struct ExportDialog::Outcome {
  bool ok = false;
  bool cancelled = false;
  bool verificationFailed = false;
  ExportResult result;
  ExportVerification verification;  // also when the verification failed
  std::string error;
  std::string out;
};

ExportDialog::ExportDialog(const QString& studioHome, QWidget* parent) : QDialog(parent), home_(studioHome) {
  setWindowTitle(tr("Export Run"));
  cancelFlag_ = std::make_shared<std::atomic<bool>>(false);

  run_ = new QComboBox(this);
  run_->setObjectName("exportRun");
  run_->setMinimumContentsLength(40);
  format_ = new QComboBox(this);
  format_->setObjectName("exportFormat");
  format_->addItem(tr("Hugging Face folder (hf)"), QStringLiteral("hf"));
  format_->addItem(tr("Merged LoRA model (merged)"), QStringLiteral("merged"));
  format_->addItem(tr("PEFT LoRA adapter (peft)"), QStringLiteral("peft"));
  format_->addItem(tr("GGUF for llama.cpp (gguf)"), QStringLiteral("gguf"));
  formatNote_ = new QLabel(this);
  formatNote_->setObjectName("exportFormatNote");
  formatNote_->setWordWrap(true);
  formatNote_->setTextFormat(Qt::RichText);
  formatNote_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  formatNote_->setStyleSheet(QStringLiteral("QLabel { color: #404040; }"));
  dtype_ = new QComboBox(this);
  dtype_->setObjectName("exportDtype");
  dtype_->addItem(tr("f32 (full precision)"), QStringLiteral("f32"));
  dtype_->addItem(tr("f16 (half precision)"), QStringLiteral("f16"));
  dtype_->addItem(tr("bf16 (bfloat16)"), QStringLiteral("bf16"));
  dtype_->addItem(tr("q8_0 (8-bit blocks, GGUF only)"), QStringLiteral("q8_0"));
  out_ = new QLineEdit(this);
  out_->setObjectName("exportFolder");
  browse_ = new QPushButton(tr("Browse…"), this);
  auto* outRow = new QHBoxLayout;
  outRow->addWidget(out_, 1);
  outRow->addWidget(browse_);
  shard_ = new QLineEdit(QStringLiteral("5GB"), this);
  shard_->setObjectName("exportShardSize");
  shard_->setToolTip(tr("Weights above this size are split into shards with an index (e.g. 500MB, 2GB, 1GiB)"));

  // A grid rather than a form: a form layout gives the wrapped note more height than its text needs.
  auto* form = new QGridLayout;
  form->setColumnStretch(1, 1);
  int row = 0;
  auto addRow = [&](const QString& label, QWidget* field, QLayout* fieldLayout = nullptr) {
    if (!label.isEmpty()) form->addWidget(new QLabel(label, this), row, 0);
    if (field) form->addWidget(field, row, 1);
    if (fieldLayout) form->addLayout(fieldLayout, row, 1);
    ++row;
  };
  addRow(tr("Run"), run_);
  addRow(tr("Format"), format_);
  addRow(QString(), formatNote_);
  addRow(tr("Weights"), dtype_);
  addRow(tr("Output folder"), nullptr, outRow);
  addRow(tr("Shard size"), shard_);

  progress_ = new QProgressBar(this);
  progress_->setObjectName("exportProgress");
  progress_->setRange(0, 4);
  progress_->setValue(0);
  progress_->setTextVisible(false);
  stage_ = new QLabel(tr("Choose a run and a format, then Export."), this);
  stage_->setObjectName("exportStage");
  result_ = new QTextBrowser(this);
  result_->setObjectName("exportResult");
  result_->setMinimumHeight(230);
  result_->setOpenExternalLinks(false);

  export_ = new QPushButton(tr("Export"), this);
  export_->setObjectName("exportStart");
  export_->setDefault(true);
  cancel_ = new QPushButton(tr("Cancel Export"), this);
  cancel_->setObjectName("exportCancel");
  cancel_->setEnabled(false);
  openFolder_ = new QPushButton(tr("Open Folder"), this);
  openFolder_->setEnabled(false);
  close_ = new QPushButton(tr("Close"), this);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(openFolder_);
  buttons->addStretch(1);
  buttons->addWidget(export_);
  buttons->addWidget(cancel_);
  buttons->addWidget(close_);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(progress_);
  layout->addWidget(stage_);
  layout->addWidget(result_, 1);
  layout->addLayout(buttons);
  resize(780, 760);

  connect(run_, &QComboBox::currentIndexChanged, this, &ExportDialog::onRunChanged);
  connect(format_, &QComboBox::currentIndexChanged, this, &ExportDialog::onFormatChanged);
  connect(dtype_, &QComboBox::currentIndexChanged, this, &ExportDialog::suggestOutputFolder);
  connect(out_, &QLineEdit::textEdited, this, [this] { outEdited_ = true; });
  connect(browse_, &QPushButton::clicked, this, &ExportDialog::chooseOutputFolder);
  connect(export_, &QPushButton::clicked, this, &ExportDialog::startExport);
  connect(cancel_, &QPushButton::clicked, this, &ExportDialog::cancelExport);
  connect(close_, &QPushButton::clicked, this, &ExportDialog::reject);
  connect(openFolder_, &QPushButton::clicked, this, [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(lastOut_)); });
  connect(&watcher_, &QFutureWatcherBase::finished, this, &ExportDialog::onFinished);

  loadRuns();
}

ExportDialog::~ExportDialog() {
  if (watcher_.isRunning()) {
    cancelFlag_->store(true);
    watcher_.waitForFinished();  // the worker stops at its next stage and removes what it staged
  }
}

void ExportDialog::loadRuns() {
  run_->clear();
  try {
    const RunStore store(home_.toStdString());
    for (const auto& r : store.listRuns()) {
      const QString id = qs(r.id);
      QString text = r.name.empty() || r.name == r.id ? id : qs(r.name) + QStringLiteral(" · ") + id;
      text += QStringLiteral(" (") + (r.task == "cls" ? tr("classifier") : r.task == "lm" ? tr("causal LM") : tr("task unknown")) +
              QStringLiteral(", ") + qs(r.status) + QStringLiteral(")");
      run_->addItem(text);
      run_->setItemData(run_->count() - 1, id, kIdRole);
      run_->setItemData(run_->count() - 1, qs(r.dir), kDirRole);
      run_->setItemData(run_->count() - 1, qs(r.status), kStatusRole);
    }
  } catch (const std::exception& e) {
    stage_->setText(tr("The run store cannot be read: %1").arg(qs(e.what())));
  }
  if (run_->count() == 0) {
    stage_->setText(tr("No runs yet: train one, then export it here."));
    export_->setEnabled(false);
  }
  onRunChanged();
}

bool ExportDialog::selectRun(const QString& runId) {
  const int i = run_->findData(runId, kIdRole);
  if (i < 0) return false;
  run_->setCurrentIndex(i);
  return true;
}

bool ExportDialog::selectFormat(const QString& name) {
  const int i = format_->findData(name);
  if (i < 0 || !itemEnabled(format_, i)) return false;
  format_->setCurrentIndex(i);
  return true;
}

bool ExportDialog::selectDtype(const QString& name) {
  const int i = dtype_->findData(name);
  if (i < 0 || !itemEnabled(dtype_, i)) return false;
  dtype_->setCurrentIndex(i);
  return true;
}

void ExportDialog::setOutputFolder(const QString& folder) {
  out_->setText(folder);
  outEdited_ = true;
}

void ExportDialog::onRunChanged() {
  // Which formats this run allows, with the exporter's own reasons for the others.
  QStringList unavailable;
  const QString dir = run_->currentData(kDirRole).toString();
  std::optional<ExportSourceInfo> info;
  QString problem;
  if (!dir.isEmpty()) {
    try {
      info = inspectExportSource(dir.toStdString());
    } catch (const std::exception& e) {
      problem = qs(e.what());
    }
  }
  for (int i = 0; i < format_->count(); ++i) {
    const std::string why = info ? exportFormatUnavailable(*info, kFormats[i]) : std::string();
    const bool ok = info && why.empty();
    setItemEnabled(format_, i, ok, qs(why));
    if (info && !ok) unavailable << QStringLiteral("<b>%1</b>: %2").arg(format_->itemText(i).toHtmlEscaped(), qs(why).toHtmlEscaped());
  }
  if (!itemEnabled(format_, format_->currentIndex()))
    for (int i = 0; i < format_->count(); ++i)
      if (itemEnabled(format_, i)) {
        format_->setCurrentIndex(i);
        break;
      }
  formatNote_->setProperty("unavailable", unavailable.join(QStringLiteral("<br>")));
  formatNote_->setProperty("problem", problem);
  formatNote_->setProperty("base", info ? qs(info->baseModel) : QString());
  onFormatChanged();
}

void ExportDialog::onFormatChanged() {
  const QString format = format_->currentData().toString();
  const bool gguf = format == "gguf";
  // q8_0 is a GGUF block format: nothing safetensors-based loads it.
  setItemEnabled(dtype_, 3, gguf, gguf ? QString() : qs(exportDtypeUnavailable(*exportFormatFromName(format.toStdString()), ExportDtype::Q8_0)));
  if (!gguf && dtype_->currentIndex() == 3) dtype_->setCurrentIndex(0);
  shard_->setEnabled(format == "hf" || format == "merged");

  QString note;
  if (format == "hf") note = tr("A Hugging Face model folder: config.json, safetensors weights and the tokenizer files, as transformers loads them.");
  else if (format == "merged") note = tr("The LoRA adapters folded into the base weights, written as a Hugging Face model folder.");
  else if (format == "peft") note = tr("The LoRA adapter alone (adapter_config.json, adapter_model.safetensors), loaded by peft onto its base model: %1")
                                    .arg(formatNote_->property("base").toString().toHtmlEscaped());
  else note = tr("One GGUF file for llama.cpp (causal language models).");
  const QString problem = formatNote_->property("problem").toString();
  if (!problem.isEmpty()) note = QStringLiteral("<span style='color:#a11'>%1</span>").arg(problem.toHtmlEscaped());
  const QString unavailable = formatNote_->property("unavailable").toString();
  if (!unavailable.isEmpty())
    note += QStringLiteral("<br><small><i>") + tr("Not offered for this run:") + QStringLiteral("</i><br>") + unavailable + QStringLiteral("</small>");
  formatNote_->setText(note);
  const bool runBusy = busyStatus(run_->currentData(kStatusRole).toString());
  export_->setEnabled(!isRunning() && run_->count() > 0 && problem.isEmpty() && itemEnabled(format_, format_->currentIndex()) && !runBusy);
  if (runBusy) stage_->setText(tr("This run is still training: export it once it has finished or stopped."));
  suggestOutputFolder();
}

void ExportDialog::suggestOutputFolder() {
  if (outEdited_) return;
  const QString dir = run_->currentData(kDirRole).toString();
  if (dir.isEmpty()) return;
  out_->setText(QDir(dir).filePath(QStringLiteral("exports/%1-%2").arg(format_->currentData().toString(), dtype_->currentData().toString())));
}

void ExportDialog::chooseOutputFolder() {
  const QString chosen = QFileDialog::getExistingDirectory(this, tr("Export into"), QFileInfo(out_->text()).absolutePath());
  if (chosen.isEmpty()) return;
  // An empty folder or an earlier export is used as it is; in any other folder the export gets a
  // folder of its own (an export replaces its folder whole).
  const QDir d(chosen);
  const bool usable = d.isEmpty() || d.exists(QString::fromLatin1(kExportManifest));
  const QString id = run_->currentData(kIdRole).toString();
  setOutputFolder(usable ? chosen
                         : d.filePath(QStringLiteral("%1-%2-%3").arg(id, format_->currentData().toString(), dtype_->currentData().toString())));
}

void ExportDialog::setBusy(bool busy) {
  for (QWidget* w : std::initializer_list<QWidget*>{run_, format_, dtype_, out_, browse_, shard_}) w->setEnabled(!busy);
  if (!busy) shard_->setEnabled(format_->currentData().toString() == "hf" || format_->currentData().toString() == "merged");
  export_->setEnabled(!busy);
  cancel_->setEnabled(busy);
}

void ExportDialog::setStage(const QString& stage) {
  if (!isRunning()) return;  // a late message after the outcome is shown
  static const QStringList order = {"loading", "writing", "verifying", "finishing"};
  progress_->setValue(static_cast<int>(order.indexOf(stage)) + 1);
  if (stage == "loading") stage_->setText(tr("Loading the model…"));
  else if (stage == "writing") stage_->setText(tr("Writing the files…"));
  else if (stage == "verifying") stage_->setText(tr("Reading the export back and comparing logits with the model…"));
  else if (stage == "finishing") stage_->setText(tr("Writing the model card…"));
}

void ExportDialog::startExport() {
  if (isRunning() || run_->count() == 0) return;
  const QString format = format_->currentData().toString(), dtype = dtype_->currentData().toString();
  ExportOptions o;
  o.format = *exportFormatFromName(format.toStdString());
  o.dtype = *exportDtypeFromName(dtype.toStdString());
  o.out = out_->text().trimmed().toStdString();
  try {
    o.maxShardBytes = parseByteSize(shard_->text().trimmed().toStdString());
  } catch (const std::exception& e) {
    outcome_ = QStringLiteral("failed");
    result_->setHtml(QStringLiteral("<h3 style='color:#a11'>%1</h3><p>%2</p>").arg(tr("Export failed"), tr("Shard size: %1").arg(qs(e.what())).toHtmlEscaped()));
    emit exportFinished(false);
    return;
  }
  const std::string runId = run_->currentData(kIdRole).toString().toStdString();
  const std::filesystem::path source = run_->currentData(kDirRole).toString().toStdString();
  const std::string home = home_.toStdString();
  const std::string tool = "Fine-tuning Studio " + QApplication::applicationVersion().toStdString();
  cancelFlag_->store(false);
  o.cancel = cancelFlag_.get();
  // Stages arrive on the worker thread; the label changes on the GUI thread. The destructor waits for
  // the worker, so `this` outlives every call.
  o.progress = [this](const std::string& stage) {
    QMetaObject::invokeMethod(this, [this, s = qs(stage)] { setStage(s); }, Qt::QueuedConnection);
  };

  outcome_.clear();
  closeWhenDone_ = false;
  openFolder_->setEnabled(false);
  progress_->setValue(0);
  stage_->setText(tr("Starting the export…"));
  result_->clear();
  setBusy(true);
  running_ = true;
  const auto flag = cancelFlag_;  // kept alive by the worker
  watcher_.setFuture(QtConcurrent::run([o, runId, source, home, tool, format, dtype, flag]() mutable {
    auto out = std::make_shared<Outcome>();
    out->out = o.out.string();
    try {
      // The run store's facts for the model card, read here: SQLite is not the GUI thread's work.
      if (!runId.empty()) {
        const RunStore store(home);
        if (const auto rec = store.findRun(runId)) o.card = modelCardInfoFromStore(store, *rec);
      }
      o.card.toolVersion = tool;
      out->result = exportModel(source, o);
      out->verification = out->result.verification;
      out->ok = true;
      if (!runId.empty())
        RunStore(home).addArtifact(runId, "export-" + format.toStdString() + "-" + dtype.toStdString(), out->result.out.string());
    } catch (const ExportCancelled& e) {
      out->cancelled = true;
      out->error = e.what();
    } catch (const ExportVerificationError& e) {
      out->verificationFailed = true;
      out->verification = e.verification;
      out->error = e.what();
    } catch (const std::exception& e) {
      out->error = e.what();
    }
    return out;
  }));
}

void ExportDialog::cancelExport() {
  if (!isRunning()) return;
  cancelFlag_->store(true);
  cancel_->setEnabled(false);
  stage_->setText(tr("Cancelling: the export stops at its next stage and removes what it wrote…"));
}

void ExportDialog::reject() {
  if (isRunning()) {
    closeWhenDone_ = true;
    cancelExport();
    return;
  }
  QDialog::reject();
}

void ExportDialog::onFinished() {
  const std::shared_ptr<Outcome> r = watcher_.result();
  running_ = false;
  setBusy(false);
  onFormatChanged();  // the Export button as the run and format allow
  const ExportVerification& v = r->verification;
  QString html;
  auto row = [&](const QString& name, const QString& value) {
    html += QStringLiteral("<tr><td style='padding-right:12px'><b>%1</b></td><td>%2</td></tr>").arg(name.toHtmlEscaped(), value.toHtmlEscaped());
  };
  auto figures = [&] {
    html += QStringLiteral("<table>");
    row(tr("Max abs logit difference"), figure(v.maxAbsDiff));
    row(tr("Accepted difference"), figure(v.tolerance));
    row(tr("Largest logit"), figure(v.maxAbsLogit));
    row(tr("Argmax agreement"), tr("%1% of %2 rows").arg(QString::number(100.0 * v.argmaxAgreement, 'f', 1)).arg(v.positions));
    row(tr("Sample texts"), QString::number(v.samples));
    row(tr("Read back with"), qs(v.reloadedWith));
    row(tr("Tokenizer"), qs(v.tokenizerCheck));
    html += QStringLiteral("</table>");
  };
  if (r->ok) {
    outcome_ = QStringLiteral("verified");
    lastOut_ = qs(r->result.out.string());
    progress_->setValue(4);
    stage_->setText(tr("Exported and verified."));
    html += QStringLiteral("<h3 style='color:#1b7a2a'>%1</h3>").arg(tr("Export verified"));
    html += QStringLiteral("<p>%1</p>").arg(tr("Written to %1 and read back: its logits match the model's.").arg(lastOut_).toHtmlEscaped());
    figures();
    html += QStringLiteral("<p><b>%1</b></p><ul>").arg(tr("Files written"));
    for (const auto& f : r->result.files) html += QStringLiteral("<li><code>%1</code></li>").arg(qs(f).toHtmlEscaped());
    html += QStringLiteral("</ul>");
    for (const auto& n : r->result.notes) html += QStringLiteral("<p><i>%1</i> %2</p>").arg(tr("Note:"), qs(n).toHtmlEscaped());
    openFolder_->setEnabled(true);
  } else if (r->cancelled) {
    outcome_ = QStringLiteral("cancelled");
    progress_->setValue(0);
    stage_->setText(tr("Export cancelled."));
    html += QStringLiteral("<h3>%1</h3><p>%2</p>").arg(tr("Export cancelled"), tr("Nothing was written under %1.").arg(qs(r->out)).toHtmlEscaped());
  } else {
    outcome_ = QStringLiteral("failed");
    progress_->setValue(0);
    stage_->setText(tr("Export failed."));
    html += QStringLiteral("<h3 style='color:#a11'>%1</h3><p>%2</p>").arg(tr("Export failed"), qs(r->error).toHtmlEscaped());
    if (r->verificationFailed) figures();
  }
  result_->setHtml(html);
  emit exportFinished(r->ok);
  if (closeWhenDone_) QDialog::reject();
}

}  // namespace fts::ui
