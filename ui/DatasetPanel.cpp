#include "ui/DatasetPanel.h"

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
}

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
    if (!path_.isEmpty()) open(path_);
  });
  profileText_ = new QLabel(this);
  profileText_->setObjectName("datasetProfile");
  profileText_->setWordWrap(true);
  profileText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(summary_);
  layout->addLayout(columns);
  layout->addWidget(profileText_);
  layout->addWidget(table_, 1);
  layout->addWidget(problems_);
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, [this] { show(watcher_.result()); });
}

QString DatasetPanel::textColumn() const { return textCol_->text().trimmed(); }
QString DatasetPanel::labelColumn() const { return labelCol_->text().trimmed(); }

void DatasetPanel::setColumns(const QString& text, const QString& label) {
  textCol_->setText(text);
  labelCol_->setText(label);
}

void DatasetPanel::open(const QString& path, const fts::data::LoadOptions& options) {
  if (watcher_.isRunning()) return;
  path_ = path;
  summary_->setText(tr("Reading %1 …").arg(path));
  auto opts = options;
  if (opts.textColumn.empty()) opts.textColumn = textColumn().toStdString();
  if (opts.labelColumn.empty()) opts.labelColumn = labelColumn().toStdString();
  opts.onError = fts::data::ErrorPolicy::SkipAndReport;  // show every problem, not just the first
  const std::string file = path.toStdString();
  watcher_.setFuture(QtConcurrent::run([file, opts]() -> Outcome {
    try {
      auto result = std::make_shared<fts::data::LoadResult>(fts::data::loadDataset(file, opts));
      auto profile = std::make_shared<fts::data::DatasetProfile>(fts::data::profileDataset(result->dataset));
      return {result, profile, {}};
    } catch (const std::exception& e) {
      return {nullptr, nullptr, QString::fromStdString(e.what())};
    }
  }));
}

void DatasetPanel::show(const Outcome& outcome) {
  if (!outcome.result) {
    result_.reset();
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

  const auto& p = *profile_;
  QStringList facts;
  facts << tr("characters p50 %1, p95 %2, max %3").arg(p.characters.p50).arg(p.characters.p95).arg(p.characters.max);
  facts << tr("tokens%1 p50 %2, p95 %3; %4 over %5")
               .arg(p.tokensApproximate ? tr(" (approx.)") : QString())
               .arg(p.tokens.p50).arg(p.tokens.p95).arg(p.tokens.overLimit).arg(p.tokens.limit);
  facts << tr("duplicates: %1 exact, %2 after normalizing").arg(p.duplicates.exact).arg(p.duplicates.normalized);
  if (p.imbalanceRatio > 0) facts << tr("largest class / smallest: %1").arg(p.imbalanceRatio, 0, 'f', 1);
  facts << tr("CJK: %1% of characters").arg(p.cjkShare * 100, 0, 'f', 1);
  profileText_->setText(facts.join(QStringLiteral(" · ")));

  QStringList lines;
  for (const auto& w : p.warnings) lines << tr("warning: %1").arg(QString::fromStdString(w));
  for (const auto& w : result_->warnings) lines << QString::fromStdString(w.format());
  QStringList skipped;
  for (const auto& issue : result_->skipped) skipped << QString::fromStdString(issue.format());
  if (!skipped.isEmpty()) skipped.prepend(tr("%1 row(s) skipped:").arg(skipped.size()));
  lines += skipped;
  problems_->setPlainText(lines.join('\n'));
  emit loaded(path_);
}

}  // namespace fts::ui
