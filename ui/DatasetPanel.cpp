#include "ui/DatasetPanel.h"

#include <QFileInfo>
#include <QHeaderView>
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
  layout->addWidget(summary_);
  layout->addWidget(table_, 1);
  layout->addWidget(problems_);
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, [this] { show(watcher_.result()); });
}

void DatasetPanel::open(const QString& path, const fts::data::LoadOptions& options) {
  if (watcher_.isRunning()) return;
  path_ = path;
  summary_->setText(tr("Reading %1 …").arg(path));
  const std::string file = path.toStdString();
  watcher_.setFuture(QtConcurrent::run([file, options]() -> Outcome {
    try {
      auto opts = options;
      opts.onError = fts::data::ErrorPolicy::SkipAndReport;  // show every problem, not just the first
      return {std::make_shared<fts::data::LoadResult>(fts::data::loadDataset(file, opts)), {}};
    } catch (const std::exception& e) {
      return {nullptr, QString::fromStdString(e.what())};
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

  QStringList lines;
  for (const auto& issue : result_->skipped) lines << QString::fromStdString(issue.format());
  if (!lines.isEmpty()) lines.prepend(tr("%1 row(s) skipped:").arg(lines.size()));
  problems_->setPlainText(lines.join('\n'));
  emit loaded(path_);
}

}  // namespace fts::ui
