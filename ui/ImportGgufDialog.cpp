#include "ui/ImportGgufDialog.h"

#include "core/export/GgufReader.h"
#include "core/import/GgmlDequantize.h"
#include "core/import/GgufImport.h"
#include "core/import/LlamaFromGguf.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

#include <chrono>
#include <map>
#include <optional>

namespace fts::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// 134515008 -> "134.5M (134,515,008)": the short figure to read, the exact one to compare.
QString parameterText(int64_t n) {
  const QString exact = QLocale(QLocale::English).toString(static_cast<qlonglong>(n));
  if (n >= 1000000000) return QStringLiteral("%1B (%2)").arg(n / 1e9, 0, 'f', 2).arg(exact);
  if (n >= 1000000) return QStringLiteral("%1M (%2)").arg(n / 1e6, 0, 'f', 1).arg(exact);
  return exact;
}

QString shapeText(const std::vector<int64_t>& s) {
  QStringList parts;
  for (int64_t d : s) parts << QString::number(d);
  return QStringLiteral("[") + parts.join(QStringLiteral(", ")) + QStringLiteral("]");
}

// What a GGUF header says, read without decoding a tensor: the keys every llama.cpp converter writes
// under the architecture's prefix ("llama.block_count", "qwen2.block_count", ...), so a file of an
// architecture the importer refuses still shows what it is.
struct GgufSummary {
  std::string architecture, name, tokenizerModel;
  std::optional<uint64_t> layers, hidden, heads, kvHeads, ffn, context, vocab;
  std::map<std::string, int> types;  // ggml type name -> tensors
  int64_t parameters = 0;
  int tensors = 0;
  uint32_t version = 0;
  std::string unsupported;  // why the importer will refuse it ("" when nothing we can see)
};

GgufSummary summarize(const GgufReader& r) {
  GgufSummary s;
  s.version = r.version();
  auto text = [&](const std::string& key) -> std::string {
    const GgufValue* v = r.find(key);
    return v && v->type == GgufType::STRING ? v->asString() : std::string();
  };
  auto count = [&](const std::string& key) -> std::optional<uint64_t> {
    const GgufValue* v = r.find(key);
    if (!v || v->isArray()) return std::nullopt;
    try {
      return v->asUnsigned();
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  s.architecture = text("general.architecture");
  s.name = text("general.name");
  s.tokenizerModel = text("tokenizer.ggml.model");
  const std::string a = s.architecture + ".";
  s.layers = count(a + "block_count");
  s.hidden = count(a + "embedding_length");
  s.heads = count(a + "attention.head_count");
  s.kvHeads = count(a + "attention.head_count_kv");
  s.ffn = count(a + "feed_forward_length");
  s.context = count(a + "context_length");
  s.vocab = count(a + "vocab_size");
  if (const GgufValue* tokens = r.find("tokenizer.ggml.tokens"); tokens && tokens->isArray()) s.vocab = tokens->items.size();
  std::string undecoded;
  for (const auto& t : r.tensors()) {
    const std::string type = ggmlTypeNumberName(t.rawType);
    ++s.types[type];
    ++s.tensors;
    if (!isGgufOnlyTensor(t.info.name)) s.parameters += static_cast<int64_t>(t.info.numel());
    if (!ggmlQuantFromNumber(t.rawType) && undecoded.empty()) undecoded = type + " (tensor " + t.info.name + ")";
  }
  if (s.architecture != "llama")
    s.unsupported = "architecture '" + (s.architecture.empty() ? std::string("none") : s.architecture) + "': the importer converts 'llama' only";
  else if (!undecoded.empty())
    s.unsupported = "tensor type " + undecoded + ": the importer decodes F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K";
  else if (s.tokenizerModel != "gpt2" && s.tokenizerModel != "llama")
    s.unsupported = "tokenizer '" + s.tokenizerModel + "': the importer rebuilds 'gpt2' (byte-level BPE) and 'llama' (SentencePiece)";
  return s;
}

}  // namespace

struct ImportGgufDialog::Outcome {
  bool ok = false;
  bool cancelled = false;
  GgufImportResult result;
  std::string error;
  std::string out;
  double seconds = 0.0;
};

ImportGgufDialog::ImportGgufDialog(const QString& studioHome, QWidget* parent) : QDialog(parent), home_(studioHome) {
  setWindowTitle(tr("Import GGUF"));
  cancelFlag_ = std::make_shared<std::atomic<bool>>(false);

  file_ = new QLineEdit(this);
  file_->setObjectName("importFile");
  file_->setPlaceholderText(tr("a llama.cpp model file (*.gguf)"));
  browseFile_ = new QPushButton(tr("Browse…"), this);
  auto* fileRow = new QHBoxLayout;
  fileRow->addWidget(file_, 1);
  fileRow->addWidget(browseFile_);

  metadata_ = new QLabel(tr("Choose a .gguf file: what it holds is shown here before anything is imported."), this);
  metadata_->setObjectName("importMetadata");
  metadata_->setWordWrap(true);
  metadata_->setTextFormat(Qt::RichText);
  metadata_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  metadata_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  auto* inFile = new QGroupBox(tr("In the file"), this);
  auto* inFileLayout = new QVBoxLayout(inFile);
  inFileLayout->addWidget(metadata_);

  out_ = new QLineEdit(this);
  out_->setObjectName("importFolder");
  browseOut_ = new QPushButton(tr("Browse…"), this);
  auto* outRow = new QHBoxLayout;
  outRow->addWidget(out_, 1);
  outRow->addWidget(browseOut_);
  dtype_ = new QComboBox(this);
  dtype_->setObjectName("importDtype");
  dtype_->addItem(tr("bf16 (half the size of f32)"), QStringLiteral("bf16"));
  dtype_->addItem(tr("f32 (full precision, twice the size of bf16)"), QStringLiteral("f32"));

  auto* form = new QGridLayout;
  form->setColumnStretch(1, 1);
  form->addWidget(new QLabel(tr("GGUF file"), this), 0, 0);
  form->addLayout(fileRow, 0, 1);
  form->addWidget(inFile, 1, 0, 1, 2);
  form->addWidget(new QLabel(tr("Output folder"), this), 2, 0);
  form->addLayout(outRow, 2, 1);
  form->addWidget(new QLabel(tr("Weights"), this), 3, 0);
  form->addWidget(dtype_, 3, 1);

  progress_ = new QProgressBar(this);
  progress_->setObjectName("importProgress");
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setFormat(QStringLiteral("%v / %m"));  // tensors: shown once the import has counted them
  progress_->setTextVisible(false);
  stage_ = new QLabel(this);
  stage_->setObjectName("importStage");
  stage_->setWordWrap(true);
  result_ = new QTextBrowser(this);
  result_->setObjectName("importResult");
  result_->setMinimumHeight(150);
  result_->setOpenExternalLinks(false);

  useAsBase_ = new QPushButton(tr("Use as Base Model"), this);
  useAsBase_->setObjectName("importUseAsBase");
  useAsBase_->setToolTip(tr("Put the imported folder into the Training panel's base model field"));
  useAsBase_->setEnabled(false);
  openFolder_ = new QPushButton(tr("Open Folder"), this);
  openFolder_->setEnabled(false);
  import_ = new QPushButton(tr("Import"), this);
  import_->setObjectName("importStart");
  import_->setDefault(true);
  import_->setEnabled(false);
  cancel_ = new QPushButton(tr("Cancel Import"), this);
  cancel_->setObjectName("importCancel");
  cancel_->setEnabled(false);
  close_ = new QPushButton(tr("Close"), this);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(useAsBase_);
  buttons->addWidget(openFolder_);
  buttons->addStretch(1);
  buttons->addWidget(import_);
  buttons->addWidget(cancel_);
  buttons->addWidget(close_);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(progress_);
  layout->addWidget(stage_);
  layout->addWidget(result_, 1);
  layout->addLayout(buttons);
  resize(760, 640);

  connect(file_, &QLineEdit::editingFinished, this, &ImportGgufDialog::inspectFile);
  connect(browseFile_, &QPushButton::clicked, this, &ImportGgufDialog::chooseFile);
  connect(out_, &QLineEdit::textEdited, this, [this] {
    outEdited_ = true;
    updateImportButton();
  });
  connect(browseOut_, &QPushButton::clicked, this, &ImportGgufDialog::chooseOutputFolder);
  connect(import_, &QPushButton::clicked, this, &ImportGgufDialog::startImport);
  connect(cancel_, &QPushButton::clicked, this, &ImportGgufDialog::cancelImport);
  connect(close_, &QPushButton::clicked, this, &ImportGgufDialog::reject);
  connect(useAsBase_, &QPushButton::clicked, this, [this] {
    emit useAsBaseModel(lastOut_);
    stage_->setText(tr("The Training panel's base model is now %1.").arg(lastOut_));
  });
  connect(openFolder_, &QPushButton::clicked, this, [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(lastOut_)); });
  connect(&watcher_, &QFutureWatcherBase::finished, this, &ImportGgufDialog::onFinished);
}

ImportGgufDialog::~ImportGgufDialog() {
  if (watcher_.isRunning()) {
    cancelFlag_->store(true);
    watcher_.waitForFinished();  // the worker stops before its next tensor and removes what it staged
  }
}

void ImportGgufDialog::setGgufFile(const QString& path) {
  file_->setText(path);
  inspectFile();
}

void ImportGgufDialog::setOutputFolder(const QString& folder) {
  out_->setText(folder);
  outEdited_ = true;
  updateImportButton();
}

bool ImportGgufDialog::selectDtype(const QString& name) {
  const int i = dtype_->findData(name);
  if (i < 0) return false;
  dtype_->setCurrentIndex(i);
  return true;
}

void ImportGgufDialog::chooseFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Import GGUF"), QFileInfo(file_->text()).absolutePath(),
                                                    tr("GGUF models (*.gguf);;All files (*)"));
  if (!path.isEmpty()) setGgufFile(path);
}

void ImportGgufDialog::chooseOutputFolder() {
  const QString chosen = QFileDialog::getExistingDirectory(this, tr("Import into"), QFileInfo(out_->text()).absolutePath());
  if (chosen.isEmpty()) return;
  // The import replaces its folder whole: an empty folder or an earlier import is used as it is, any
  // other folder gets one of its own named after the file.
  const QDir d(chosen);
  const bool usable = d.isEmpty() || d.exists(QStringLiteral("config.json"));
  setOutputFolder(usable ? chosen : d.filePath(QFileInfo(file_->text()).completeBaseName()));
}

void ImportGgufDialog::suggestOutputFolder() {
  if (outEdited_) return;
  const QString stem = QFileInfo(file_->text().trimmed()).completeBaseName();
  if (stem.isEmpty()) return;
  out_->setText(QDir(home_).filePath(QStringLiteral("models/") + stem));
}

void ImportGgufDialog::inspectFile() {
  if (isRunning()) return;
  const QString path = file_->text().trimmed();
  readable_ = false;
  outcome_.clear();
  result_->clear();
  progress_->setValue(0);
  progress_->setTextVisible(false);
  stage_->clear();
  if (path.isEmpty()) {
    updateImportButton();
    return;
  }
  suggestOutputFolder();
  // Only the header: metadata and the tensor list (SmolLM2's 98 MB file with its 49k-token vocabulary
  // parses in about 10 ms, so on the GUI thread); no tensor is decoded until Import.
  QString html;
  auto row = [&](const QString& name, const QString& value) {
    html += QStringLiteral("<tr><td style='padding-right:14px'><b>%1</b></td><td>%2</td></tr>").arg(name.toHtmlEscaped(), value.toHtmlEscaped());
  };
  auto figure = [&](const std::optional<uint64_t>& v) { return v ? QString::number(*v) : tr("not in the file"); };
  try {
    const GgufReader reader(path.toStdString());
    const GgufSummary s = summarize(reader);
    html += QStringLiteral("<table>");
    row(tr("Architecture"), s.architecture.empty() ? tr("not in the file") : qs(s.architecture) + (s.name.empty() ? QString() : QStringLiteral(" · ") + qs(s.name)));
    row(tr("Layers"), figure(s.layers));
    row(tr("Hidden size"), figure(s.hidden) + (s.ffn ? tr(" (feed-forward %1)").arg(*s.ffn) : QString()));
    row(tr("Attention heads"), s.kvHeads && s.heads && *s.kvHeads != *s.heads ? tr("%1 (key/value heads: %2)").arg(*s.heads).arg(*s.kvHeads) : figure(s.heads));
    row(tr("Vocabulary"), figure(s.vocab));
    row(tr("Tokenizer"), s.tokenizerModel == "gpt2"    ? tr("gpt2 (byte-level BPE: becomes tokenizer.json)")
                         : s.tokenizerModel == "llama" ? tr("llama (SentencePiece: becomes tokenizer.model)")
                         : s.tokenizerModel.empty()    ? tr("not in the file")
                                                       : qs(s.tokenizerModel));
    if (s.context) row(tr("Context length"), QString::number(*s.context));
    QStringList types;
    for (const auto& [type, n] : s.types) types << QStringLiteral("%1 × %2").arg(qs(type)).arg(n);
    row(tr("Tensor types"), tr("%1 (%2 tensors)").arg(types.join(QStringLiteral(", "))).arg(s.tensors));
    row(tr("Parameters"), parameterText(s.parameters));
    row(tr("File"), tr("GGUF version %1, %2 MB").arg(s.version).arg(QFileInfo(path).size() / 1e6, 0, 'f', 1));
    html += QStringLiteral("</table>");
    if (!s.unsupported.empty())
      html += QStringLiteral("<p style='color:#a11'>%1</p>").arg(tr("The importer will refuse this file: %1").arg(qs(s.unsupported)).toHtmlEscaped());
    readable_ = true;
    stage_->setText(tr("Choose the output folder and the weights, then Import."));
  } catch (const std::exception& e) {
    html = QStringLiteral("<span style='color:#a11'>%1</span>").arg(tr("This file cannot be read as GGUF.").toHtmlEscaped());
    outcome_ = QStringLiteral("failed");
    result_->setHtml(QStringLiteral("<h3 style='color:#a11'>%1</h3><p>%2</p>").arg(tr("Not a usable GGUF file"), qs(e.what()).toHtmlEscaped()));
    stage_->setText(tr("Choose another file."));
  }
  metadata_->setText(html);
  updateImportButton();
}

void ImportGgufDialog::updateImportButton() {
  import_->setEnabled(!isRunning() && readable_ && !out_->text().trimmed().isEmpty());
}

void ImportGgufDialog::setBusy(bool busy) {
  for (QWidget* w : std::initializer_list<QWidget*>{file_, browseFile_, out_, browseOut_, dtype_}) w->setEnabled(!busy);
  cancel_->setEnabled(busy);
  if (busy) {
    import_->setEnabled(false);
    useAsBase_->setEnabled(false);
    openFolder_->setEnabled(false);
  } else {
    updateImportButton();
  }
}

void ImportGgufDialog::setTensor(int index, int count, const QString& text) {
  if (!isRunning()) return;  // a late message after the outcome is shown
  progress_->setRange(0, count);
  progress_->setValue(index - 1);  // tensors done before this one
  progress_->setTextVisible(true);
  stage_->setText(tr("Tensor %1 of %2: %3").arg(index).arg(count).arg(text));
}

void ImportGgufDialog::startImport() {
  if (isRunning() || !readable_) return;
  const std::filesystem::path file = file_->text().trimmed().toStdString();
  const std::filesystem::path out = out_->text().trimmed().toStdString();
  GgufImportOptions o;
  o.dtype = dtype_->currentData().toString() == "f32" ? SafetensorsDtype::F32 : SafetensorsDtype::BF16;
  cancelFlag_->store(false);
  o.cancel = cancelFlag_.get();
  // Called on the worker thread before each tensor; the bar moves on the GUI thread. The destructor
  // waits for the worker, so `this` outlives every call.
  o.progress = [this](const GgufImportProgress& p) {
    const QString text = QStringLiteral("%1 (%2 %3)").arg(qs(p.ggufName), qs(p.type), shapeText(p.shape));
    QMetaObject::invokeMethod(this, [this, i = p.index, n = p.count, text] { setTensor(i, n, text); }, Qt::QueuedConnection);
  };

  outcome_.clear();
  closeWhenDone_ = false;
  progress_->setValue(0);
  progress_->setTextVisible(false);
  stage_->setText(tr("Reading the file and checking every tensor…"));
  result_->clear();
  running_ = true;
  setBusy(true);
  const auto flag = cancelFlag_;  // kept alive by the worker
  watcher_.setFuture(QtConcurrent::run([file, out, o, flag]() {
    auto r = std::make_shared<Outcome>();
    r->out = out.string();
    const auto start = std::chrono::steady_clock::now();
    try {
      r->result = importGguf(file, out, o);
      r->ok = true;
    } catch (const GgufImportCancelled& e) {
      r->cancelled = true;
      r->error = e.what();
    } catch (const std::exception& e) {
      r->error = e.what();
    }
    r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
  }));
}

void ImportGgufDialog::cancelImport() {
  if (!isRunning()) return;
  cancelFlag_->store(true);
  cancel_->setEnabled(false);
  stage_->setText(tr("Cancelling: the import stops before its next tensor and removes what it wrote…"));
}

void ImportGgufDialog::reject() {
  if (isRunning()) {
    closeWhenDone_ = true;
    cancelImport();
    return;
  }
  QDialog::reject();
}

void ImportGgufDialog::onFinished() {
  const std::shared_ptr<Outcome> r = watcher_.result();
  running_ = false;
  setBusy(false);
  QString html;
  auto row = [&](const QString& name, const QString& value) {
    html += QStringLiteral("<tr><td style='padding-right:14px'><b>%1</b></td><td>%2</td></tr>").arg(name.toHtmlEscaped(), value.toHtmlEscaped());
  };
  if (r->ok) {
    const GgufImportResult& g = r->result;
    outcome_ = QStringLiteral("imported");
    lastOut_ = qs(g.out.string());
    progress_->setValue(progress_->maximum());
    stage_->setText(tr("Imported. Use it as the base model of a run, or find it under Models in the Training panel."));
    html += QStringLiteral("<h3 style='color:#1b7a2a'>%1</h3><table>").arg(tr("Imported"));
    row(tr("Folder"), lastOut_);
    row(tr("Architecture"), qs(g.architecture) + (g.modelName.empty() ? QString() : QStringLiteral(" · ") + qs(g.modelName)));
    row(tr("Parameters"), tr("%1 in %2 tensors, %3 weights").arg(parameterText(g.parameters)).arg(g.tensors).arg(dtype_->currentData().toString()));
    QString tokenizerFile;
    for (const auto& f : g.files)
      if (f == "tokenizer.json" || f == "tokenizer.model") tokenizerFile = qs(f);
    row(tr("Tokenizer"), tokenizerFile.isEmpty() ? qs(g.tokenizerKind) : tr("%1, in %2").arg(qs(g.tokenizerKind), tokenizerFile));
    row(tr("Time"), tr("%1 s").arg(r->seconds, 0, 'f', 1));
    QStringList files;
    for (const auto& f : g.files) files << qs(f);
    row(tr("Files"), files.join(QStringLiteral(", ")));
    html += QStringLiteral("</table>");
    for (const auto& n : g.notes) html += QStringLiteral("<p><i>%1</i> %2</p>").arg(tr("Note:"), qs(n).toHtmlEscaped());
    useAsBase_->setEnabled(true);
    openFolder_->setEnabled(true);
  } else if (r->cancelled) {
    outcome_ = QStringLiteral("cancelled");
    progress_->setValue(0);
    progress_->setTextVisible(false);
    stage_->setText(tr("Import cancelled."));
    html += QStringLiteral("<h3>%1</h3><p>%2</p>").arg(tr("Import cancelled"), tr("Nothing was written under %1.").arg(qs(r->out)).toHtmlEscaped());
  } else {
    outcome_ = QStringLiteral("failed");
    progress_->setValue(0);
    progress_->setTextVisible(false);
    stage_->setText(tr("Import failed."));
    html += QStringLiteral("<h3 style='color:#a11'>%1</h3><p>%2</p>").arg(tr("Import failed"), qs(r->error).toHtmlEscaped());
  }
  result_->setHtml(html);
  emit importFinished(r->ok);
  if (closeWhenDone_) QDialog::reject();
}

}  // namespace fts::ui
