#include "widgets/ClassMetricsTable.h"

#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fts::ui {
namespace {

enum Column { Label, Precision, Recall, F1, Support, ColumnCount };

QString format(const ClassMetricsRow& r, int column) {
  switch (column) {
    case Label: return r.label;
    case Precision: return QString::number(r.precision, 'f', 3);
    case Recall: return QString::number(r.recall, 'f', 3);
    case F1: return QString::number(r.f1, 'f', 3);
    case Support: return QString::number(r.support);
    default: return {};
  }
}

double value(const ClassMetricsRow& r, int column) {
  switch (column) {
    case Precision: return r.precision;
    case Recall: return r.recall;
    case F1: return r.f1;
    case Support: return static_cast<double>(r.support);
    default: return 0;
  }
}

// Light red (0) through light yellow to light green (1): readable black text on every tint.
QColor scoreTint(double v) {
  v = std::clamp(v, 0.0, 1.0);
  const int hue = static_cast<int>(std::lround(v * 120));  // 0 red .. 120 green
  return QColor::fromHsv(hue, 70, 250);
}

}  // namespace

ClassMetricsTable::ClassMetricsTable(QWidget* parent) : QWidget(parent), table_(new QTableWidget(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(table_);
  table_->setObjectName("classMetricsTable");
  table_->setColumnCount(ColumnCount);
  table_->setHorizontalHeaderLabels({tr("class"), tr("precision"), tr("recall"), tr("F1"), tr("support")});
  table_->horizontalHeaderItem(Label)->setToolTip(tr("Click a column to sort the classes; the averages stay last"));
  table_->horizontalHeaderItem(Precision)->setToolTip(tr("Of the samples predicted as this class, the share that belong to it"));
  table_->horizontalHeaderItem(Recall)->setToolTip(tr("Of the samples of this class, the share predicted as it"));
  table_->horizontalHeaderItem(F1)->setToolTip(tr("Harmonic mean of precision and recall"));
  table_->horizontalHeaderItem(Support)->setToolTip(tr("Samples of this class in the evaluated set"));
  table_->verticalHeader()->setVisible(false);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setWordWrap(false);
  table_->setTextElideMode(Qt::ElideRight);
  // Columns sized to their contents (class names whole, up to a limit), then left to the user.
  auto* header = table_->horizontalHeader();
  header->setSectionResizeMode(QHeaderView::Interactive);
  header->setStretchLastSection(false);
  header->setSectionsClickable(true);
  connect(header, &QHeaderView::sectionClicked, this, &ClassMetricsTable::sortBy);
}

void ClassMetricsTable::setMetrics(const QVector<ClassMetricsRow>& classes, const ClassMetricsRow& macro, const ClassMetricsRow& weighted) {
  classes_ = classes;
  macro_ = macro;
  weighted_ = weighted;
  if (macro_.label.isEmpty()) macro_.label = tr("macro average");
  if (weighted_.label.isEmpty()) weighted_.label = tr("weighted average");
  fill();
}

void ClassMetricsTable::clear() {
  classes_.clear();
  order_.clear();
  table_->setRowCount(0);
  fitToContents();
}

void ClassMetricsTable::setShowAllRows(bool all) {
  showAllRows_ = all;
  table_->setVerticalScrollBarPolicy(all ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded);
  table_->setHorizontalScrollBarPolicy(all ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded);
  fitToContents();
}

QSize ClassMetricsTable::sizeHint() const {
  const int frame = 2 * table_->frameWidth();
  return {table_->horizontalHeader()->length() + frame,
          table_->horizontalHeader()->sizeHint().height() + table_->verticalHeader()->length() + frame};
}

void ClassMetricsTable::fitToContents() {
  table_->resizeColumnsToContents();
  // Long class names are cut (whole in the tooltip) rather than pushing the figures off screen.
  const int maxLabel = table_->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 28;
  if (table_->columnWidth(Label) > maxLabel) table_->setColumnWidth(Label, maxLabel);
  for (int c = 0; c < ColumnCount; ++c) table_->setColumnWidth(c, table_->columnWidth(c) + 6);
  if (showAllRows_) {
    const QSize s = sizeHint();
    table_->setFixedHeight(s.height());
    setFixedWidth(s.width());
  }
  updateGeometry();
}

QString ClassMetricsTable::text(int row, int column) const {
  if (row >= 0 && row < classes_.size()) return format(classes_[row], column);
  if (row == classes_.size()) return format(macro_, column);
  if (row == classes_.size() + 1) return format(weighted_, column);
  return {};
}

void ClassMetricsTable::sortBy(int column) {
  // Clicking the same column again flips the order; a third way back to "as given" is not needed.
  sortOrder_ = column == sortColumn_ && sortOrder_ == Qt::AscendingOrder ? Qt::DescendingOrder : Qt::AscendingOrder;
  sortColumn_ = column;
  fill();
}

void ClassMetricsTable::fill() {
  order_.resize(classes_.size());
  std::iota(order_.begin(), order_.end(), 0);
  if (sortColumn_ >= 0) {
    std::stable_sort(order_.begin(), order_.end(), [this](int a, int b) {
      const auto& x = classes_[sortOrder_ == Qt::AscendingOrder ? a : b];
      const auto& y = classes_[sortOrder_ == Qt::AscendingOrder ? b : a];
      return sortColumn_ == Label ? x.label.localeAwareCompare(y.label) < 0 : value(x, sortColumn_) < value(y, sortColumn_);
    });
    table_->horizontalHeader()->setSortIndicatorShown(true);
    table_->horizontalHeader()->setSortIndicator(sortColumn_, sortOrder_);
  }
  const int n = static_cast<int>(classes_.size());
  table_->setUpdatesEnabled(false);
  table_->setRowCount(n + 2);
  auto put = [this](int row, const ClassMetricsRow& r, bool average) {
    for (int c = 0; c < ColumnCount; ++c) {
      auto* item = new QTableWidgetItem(format(r, c));
      item->setTextAlignment(c == Label ? int(Qt::AlignLeft | Qt::AlignVCenter) : int(Qt::AlignRight | Qt::AlignVCenter));
      if (c == Label) item->setToolTip(r.label);
      if (average) {
        QFont f = item->font();
        f.setBold(true);
        item->setFont(f);
        item->setBackground(table_->palette().alternateBase());
      } else if (c == F1 && r.support > 0) {
        item->setBackground(scoreTint(r.f1));
        item->setForeground(QColor(20, 20, 20));
      }
      table_->setItem(row, c, item);
    }
  };
  for (int i = 0; i < n; ++i) put(i, classes_[order_[i]], false);
  put(n, macro_, true);
  put(n + 1, weighted_, true);
  fitToContents();
  table_->setUpdatesEnabled(true);
}

}  // namespace fts::ui
