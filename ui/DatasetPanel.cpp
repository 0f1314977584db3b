#include "ui/DatasetPanel.h"

#include "core/data/Duplicates.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace fts::ui {
namespace {
constexpr int kPreviewRows = 500;  // the table shows the head; the profile covers every row
constexpr std::size_t kLeakExamples = 3;

// "file.csv:12" for a row of a set: the file name without its folder, as the table shows rows.
QString rowName(const fts::data::Dataset& d, std::size_t row) {
  const auto& s = d.samples[row];
  const std::string& file = s.file >= 0 && static_cast<std::size_t>(s.file) < d.files.size() ? d.files[static_cast<std::size_t>(s.file)] : d.source;
  const QString name = QFileInfo(QString::fromStdString(file)).fileName();
  return s.line > 0 ? QStringLiteral("%1:%2").arg(name).arg(s.line) : name;
}

// Loads a held-out file the way the training file was read and looks for its rows in the training
// rows. Runs in the worker.
DatasetPanel::LeakageCheck checkLeakage(const QString& split, const QString& path, const fts::data::Dataset& train,
                                        const fts::data::LoadOptions& options) {
  DatasetPanel::LeakageCheck c;
  c.split = split;
  c.path = path;
  try {
    const auto other = fts::data::loadDataset(path.toStdString(), options);
    const auto& od = other.dataset;
    const auto leak = fts::data::findLeakage(train, fts::data::allRows(train), od, fts::data::allRows(od), kLeakExamples);
    c.rows = leak.rows;
    c.exact = leak.exact;
    c.normalized = leak.normalized;
    for (const auto& e : leak.examples) {
      QString text = QString::fromStdString(od.samples[e.row].text).simplified();
      if (text.size() > 60) text = text.left(59) + QChar(0x2026);
      c.examples << QStringLiteral("%1 = %2: \u201c%3\u201d").arg(rowName(od, e.row), rowName(train, e.first), text);
    }
  } catch (const std::exception& e) {
    c.error = QString::fromStdString(e.what());
  }
  return c;
}

}  // namespace

DatasetPanel::DatasetPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  summary_ = new QLabel(tr("No data yet: open a CSV (text,label) or a text file."), this);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  table_ = new QTableWidget(this);
  table_->setObjectName("datasetTable");
  table_->setColumnCount(3);
  table_->setHorizontalHeaderLabels({tr("line"), tr("label"), tr("text")});
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->setVisible(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setWordWrap(false);
  problems_ = new QPlainTextEdit(this);
  problems_->setReadOnly(true);
  problems_->setMaximumHeight(110);
  problems_->setPlaceholderText(tr("Problems found in the file appear here, as FILE:LINE: message."));
  // Columns: detected by name or content; the user can name them and reload.
  textCol_ = new QLineEdit(this);
  textCol_->setObjectName("textColumn");
  labelCol_ = new QLineEdit(this);
  labelCol_->setObjectName("labelColumn");
  auto* reload = new QPushButton(tr("Reload"), this);
  auto* columns = new QHBoxLayout;
  columns->addWidget(new QLabel(tr("Text column"), this));
  columns->addWidget(textCol_, 1);
  columns->addWidget(new QLabel(tr("Label column"), this));
  columns->addWidget(labelCol_, 1);
  columns->addWidget(reload);
  connect(reload, &QPushButton::clicked, this, [this] {
    if (!path_.isEmpty()) open(path_, {}, heldOut_);
  });
  // What training does with a row it cannot read. The panel itself always lists every problem.
  errorPolicy_ = new QComboBox(this);
  errorPolicy_->setObjectName("errorPolicy");
  errorPolicy_->addItem(tr("Stop at the first bad row"), QStringLiteral("stop"));
  errorPolicy_->addItem(tr("Skip bad rows, listing each"), QStringLiteral("skip"));
  errorPolicy_->setToolTip(tr("When training reads a row it cannot use: fail with its FILE:LINE, or leave it out and list every "
                              "skipped row in the run's log and skipped_rows.txt"));
  auto* policyRow = new QHBoxLayout;
  policyRow->addWidget(new QLabel(tr("Bad rows when training"), this));
  policyRow->addWidget(errorPolicy_);
  policyRow->addStretch(1);
  connect(errorPolicy_, &QComboBox::currentIndexChanged, this, [this] { emit errorPolicyChanged(errorPolicy()); });
  profileText_ = new QLabel(this);
  profileText_->setObjectName("datasetProfile");
  profileText_->setWordWrap(true);
  profileText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(summary_);
  layout->addLayout(columns);
  layout->addLayout(policyRow);
  leakageText_ = new QLabel(this);
  leakageText_->setObjectName("leakageWarning");
  leakageText_->setWordWrap(true);
  leakageText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  leakageText_->setVisible(false);
  layout->addWidget(profileText_);
  layout->addWidget(leakageText_);
  layout->addWidget(table_, 1);
  layout->addWidget(problems_);
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, [this] { show(watcher_.result()); });
}

QString DatasetPanel::textColumn() const { return textCol_->text().trimmed(); }
QString DatasetPanel::labelColumn() const { return labelCol_->text().trimmed(); }

QString DatasetPanel::errorPolicy() const { return errorPolicy_->currentData().toString(); }

void DatasetPanel::setErrorPolicy(const QString& policy) {
  const int i = errorPolicy_->findData(policy);
  if (i >= 0) errorPolicy_->setCurrentIndex(i);
}

void DatasetPanel::setColumns(const QString& text, const QString& label) {
  textCol_->setText(text);
  labelCol_->setText(label);
}

void DatasetPanel::open(const QString& path, const fts::data::LoadOptions& options, const HeldOutFiles& heldOut) {
  if (watcher_.isRunning()) return;
  path_ = path;
  heldOut_ = heldOut;
  summary_->setText(tr("Reading %1 …").arg(path));
  auto opts = options;
  if (opts.textColumn.empty()) opts.textColumn = textColumn().toStdString();
  if (opts.labelColumn.empty()) opts.labelColumn = labelColumn().toStdString();
  opts.onError = fts::data::ErrorPolicy::SkipAndReport;  // show every problem, not just the first
  const std::string file = path.toStdString();
  watcher_.setFuture(QtConcurrent::run([file, opts, heldOut]() -> Outcome {
    Outcome out;
    try {
      out.result = std::make_shared<fts::data::LoadResult>(fts::data::loadDataset(file, opts));
      // No limit here: the panel counts the rows over the run's max length itself, and again
      // whenever that setting changes.
      fts::data::ProfileOptions po;
      po.maxTokens = 0;
      out.profile = std::make_shared<fts::data::DatasetProfile>(fts::data::profileDataset(out.result->dataset, po));
    } catch (const std::exception& e) {
      return {nullptr, nullptr, {}, QString::fromStdString(e.what())};
    }
    // Held-out files are read with the training file's columns and task.
    auto heldOpts = opts;
    heldOpts.textColumn = out.result->textColumn;
    heldOpts.labelColumn = out.result->labelColumn;
    heldOpts.responseColumn = out.result->responseColumn;
    heldOpts.task = out.result->task;
    for (const auto& [split, heldPath] : {std::pair{QStringLiteral("validation"), heldOut.validation},
                                          std::pair{QStringLiteral("test"), heldOut.test}})
      if (!heldPath.isEmpty()) out.leakage.append(checkLeakage(split, heldPath, out.result->dataset, heldOpts));
    return out;
  }));
}

void DatasetPanel::show(const Outcome& outcome) {
  if (!outcome.result) {
    result_.reset();
    profile_.reset();
    leakage_.clear();
    showLeakage();
    profileText_->clear();
    table_->setRowCount(0);
    summary_->setText(tr("<b>Cannot use %1</b>").arg(path_.toHtmlEscaped()));
    problems_->setPlainText(outcome.error);
    emit failed(path_, outcome.error);
    return;
  }
  result_ = outcome.result;
  profile_ = outcome.profile;
  textCol_->setPlaceholderText(QString::fromStdString(result_->textColumn));
  labelCol_->setPlaceholderText(result_->labelColumn.empty() ? tr("none") : QString::fromStdString(result_->labelColumn));
  const auto& ds = result_->dataset;
  const int n = static_cast<int>(ds.samples.size());
  const int shown = std::min(n, kPreviewRows);
  table_->setUpdatesEnabled(false);
  table_->setRowCount(shown);
  for (int i = 0; i < shown; ++i) {
    const auto& s = ds.samples[static_cast<size_t>(i)];
    table_->setItem(i, 0, new QTableWidgetItem(QString::number(s.line)));
    table_->setItem(i, 1, new QTableWidgetItem(QString::fromStdString(s.label)));
    auto* text = new QTableWidgetItem(QString::fromStdString(s.text).simplified());
    text->setToolTip(QString::fromStdString(s.text).left(2000));
    table_->setItem(i, 2, text);
  }
  table_->resizeColumnToContents(0);
  table_->resizeColumnToContents(1);
  table_->setUpdatesEnabled(true);

  QStringList classes;
  for (const auto& [label, count] : ds.classCounts()) classes << QStringLiteral("%1 (%2)").arg(QString::fromStdString(label)).arg(count);
  QString text = tr("<b>%1</b>: %2 rows").arg(QFileInfo(path_).fileName().toHtmlEscaped()).arg(n);
  if (!classes.isEmpty()) text += tr(" · %1 classes: %2").arg(classes.size()).arg(classes.join(", ").toHtmlEscaped());
  else text += tr(" · unlabelled text (language modelling)");
  if (n > shown) text += tr(" · showing the first %1").arg(shown);
  summary_->setText(text);

  leakage_ = outcome.leakage;
  showProfile();
  showLeakage();
  emit loaded(path_);
}

void DatasetPanel::setMaxLength(int tokens) {
  if (tokens == maxLength_) return;
  maxLength_ = tokens;
  if (profile_) showProfile();
}

qint64 DatasetPanel::overMaxLength() const {
  return profile_ ? fts::data::countLongerThan(profile_->tokenLengths, maxLength_) : -1;
}

void DatasetPanel::showProfile() {
  if (!profile_ || !result_) return;
  const auto& p = *profile_;
  const qint64 over = overMaxLength();
  QStringList facts;
  facts << tr("characters p50 %1, p95 %2, max %3").arg(p.characters.p50).arg(p.characters.p95).arg(p.characters.max);
  facts << tr("tokens%1 p50 %2, p95 %3; %4 over %5")
               .arg(p.tokensApproximate ? tr(" (approx.)") : QString())
               .arg(p.tokens.p50).arg(p.tokens.p95).arg(over).arg(maxLength_);
  facts << tr("duplicates: %1 exact, %2 after normalizing").arg(p.duplicates.exact).arg(p.duplicates.normalized);
  if (p.imbalanceRatio > 0) facts << tr("largest class / smallest: %1").arg(p.imbalanceRatio, 0, 'f', 1);
  facts << tr("CJK: %1% of characters").arg(p.cjkShare * 100, 0, 'f', 1);
  profileText_->setText(facts.join(QStringLiteral(" · ")));
  profileText_->setToolTip(tr("Max length: the run setting \"Max tokens\" in the Training panel"));

  QStringList lines;
  if (over > 0)
    lines << tr("warning: %1 rows (%2%) are longer than the max length of %3 tokens%4 and will be cut; raise \"Max tokens\" "
                "or shorten them")
                 .arg(over)
                 .arg(100.0 * static_cast<double>(over) / static_cast<double>(std::max<std::int64_t>(1, p.rows)), 0, 'f', 1)
                 .arg(maxLength_)
                 .arg(p.tokensApproximate ? tr(" (approximately)") : QString());
  for (const auto& w : p.warnings) lines << tr("warning: %1").arg(QString::fromStdString(w));
  for (const auto& w : result_->warnings) lines << QString::fromStdString(w.format());
  QStringList skipped;
  for (const auto& issue : result_->skipped) skipped << QString::fromStdString(issue.format());
  if (!skipped.isEmpty()) skipped.prepend(tr("%1 row(s) skipped:").arg(skipped.size()));
  lines += skipped;
  problems_->setPlainText(lines.join('\n'));
}

void DatasetPanel::showLeakage() {
  if (leakage_.isEmpty()) {
    leakageText_->clear();
    leakageText_->setVisible(false);
    return;
  }
  QStringList leaks, clean, errors;
  for (const auto& c : leakage_) {
    const QString file = QFileInfo(c.path).fileName().toHtmlEscaped();
    const QString which = c.split == QLatin1String("test") ? tr("test file %1").arg(file) : tr("validation file %1").arg(file);
    if (!c.error.isEmpty()) {
      errors << tr("The %1 cannot be read: %2").arg(which, c.error.toHtmlEscaped());
    } else if (c.normalized > 0) {
      QString line = tr("<b>Leakage:</b> %1 of the %2 rows of the %3 also occur in the training file (%4 exactly): their score "
                        "measures memory, not generalisation; remove them from one side.")
                         .arg(c.normalized)
                         .arg(c.rows)
                         .arg(which)
                         .arg(c.exact);
      QStringList ex;
      for (const auto& e : c.examples) ex << e.toHtmlEscaped();
      if (!ex.isEmpty()) line += QStringLiteral("<br>&nbsp;&nbsp;") + tr("e.g. %1").arg(ex.join(QStringLiteral("<br>&nbsp;&nbsp;")));
      leaks << line;
    } else {
      clean << tr("%1 (%2 rows)").arg(which).arg(c.rows);
    }
  }
  QStringList parts = leaks + errors;
  if (!clean.isEmpty()) parts << tr("No overlap between the training file and the %1.").arg(clean.join(tr(", ")));
  leakageText_->setText(parts.join(QStringLiteral("<br>")));
  const bool warn = !leaks.isEmpty() || !errors.isEmpty();
  leakageText_->setStyleSheet(warn ? QStringLiteral("QLabel { background: #fff4e0; color: #6b4200; padding: 4px; border: 1px solid #e8c27a; }")
                                   : QStringLiteral("QLabel { color: #2d6a2d; padding: 2px 4px; }"));
  leakageText_->setVisible(true);
}

}  // namespace fts::ui
