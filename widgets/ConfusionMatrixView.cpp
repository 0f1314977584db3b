#include "widgets/ConfusionMatrixView.h"

#include <QEvent>
#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fts::ui {
namespace {

constexpr int kMargin = 6;
constexpr int kGap = 6;            // between labels and the grid
constexpr int kMaxLabelPx = 170;   // longer class names are elided (full name in the tooltip)
constexpr int kMaxCell = 72;       // a 2x2 matrix should not fill a screen
constexpr int kPreferredCell = 44;

// White to a deep blue (matplotlib's "Blues" end points): darker means a larger share of the row.
QColor heat(double share) {
  share = std::clamp(share, 0.0, 1.0);
  const QColor lo(247, 251, 255), hi(8, 69, 148);
  auto mix = [share](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * share)); };
  return QColor(mix(lo.red(), hi.red()), mix(lo.green(), hi.green()), mix(lo.blue(), hi.blue()));
}

}  // namespace

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ConfusionMatrixView::setMatrix(const QStringList& labels, const QVector<QVector<qint64>>& counts) {
  const bool square = counts.size() == labels.size() &&
                      std::all_of(counts.begin(), counts.end(), [&](const auto& row) { return row.size() == labels.size(); });
  if (!square) {
    clear();
    return;
  }
  labels_ = labels;
  counts_ = counts;
  rowTotals_.clear();
  for (const auto& row : counts_) rowTotals_.append(std::accumulate(row.begin(), row.end(), qint64{0}));
  updateGeometry();
  update();
}

void ConfusionMatrixView::clear() {
  labels_.clear();
  counts_.clear();
  rowTotals_.clear();
  updateGeometry();
  update();
}

qint64 ConfusionMatrixView::count(int t, int p) const {
  if (t < 0 || p < 0 || t >= counts_.size() || p >= counts_.size()) return 0;
  return counts_[t][p];
}

double ConfusionMatrixView::rowShare(int t, int p) const {
  if (t < 0 || t >= rowTotals_.size() || rowTotals_[t] <= 0) return 0;
  return static_cast<double>(count(t, p)) / static_cast<double>(rowTotals_[t]);
}

QString ConfusionMatrixView::cellText(int t, int p) const { return QString::number(count(t, p)); }

QColor ConfusionMatrixView::cellColor(int t, int p) const { return heat(rowShare(t, p)); }

QRect ConfusionMatrixView::cellRect(int t, int p) const {
  const Geometry g = layoutFor(size());
  return QRect(g.origin.x() + p * g.cell, g.origin.y() + t * g.cell, g.cell, g.cell);
}

QString ConfusionMatrixView::elided(const QString& label) const {
  return fontMetrics().elidedText(label, Qt::ElideRight, kMaxLabelPx);
}

ConfusionMatrixView::Measures ConfusionMatrixView::measure() const {
  const QFontMetrics fm = fontMetrics();
  Measures m;
  m.line = fm.height();
  for (const auto& l : labels_) m.widestLabel = std::max(m.widestLabel, fm.horizontalAdvance(elided(l)));
  qint64 largest = 0;
  for (const auto& row : counts_)
    for (qint64 v : row) largest = std::max(largest, v);
  m.minCell = std::max(24, fm.horizontalAdvance(QString::number(largest)) + 10);
  return m;
}

// Left of the grid: the axis title (turned vertical) and the true class names. Above it: the axis
// title and the predicted class names, across when they fit in a cell, else turned vertical.
ConfusionMatrixView::Geometry ConfusionMatrixView::layoutFor(const QSize& size) const {
  Geometry g;
  const int n = classCount();
  if (n == 0) return g;
  const Measures m = measure();
  g.widestLabel = m.widestLabel;
  g.rowLabelWidth = m.line + kGap + m.widestLabel + kGap;
  const int titleHeight = m.line + 2;
  auto cellFor = [&](int top) {
    const int w = (size.width() - 2 * kMargin - g.rowLabelWidth) / n;
    const int h = (size.height() - 2 * kMargin - top) / n;
    return std::clamp(std::min(w, h), m.minCell, kMaxCell);
  };
  g.columnLabelHeight = titleHeight + m.line + kGap;
  g.cell = cellFor(g.columnLabelHeight);
  if (m.widestLabel > g.cell - 4) {
    g.verticalColumnLabels = true;
    g.columnLabelHeight = titleHeight + m.widestLabel + 2 + kGap;
    g.cell = cellFor(g.columnLabelHeight);
  }
  // Centre the whole figure in the space it has.
  const int figureW = g.rowLabelWidth + n * g.cell, figureH = g.columnLabelHeight + n * g.cell;
  const int x0 = std::max(kMargin, (size.width() - figureW) / 2);
  const int y0 = std::max(kMargin, (size.height() - figureH) / 2);
  g.origin = QPoint(x0 + g.rowLabelWidth, y0 + g.columnLabelHeight);
  return g;
}

QSize ConfusionMatrixView::sizeHint() const {
  const int n = std::max(classCount(), 2);
  const Measures m = measure();
  const int labels = m.line + 2 * kGap + std::max(m.widestLabel, 60) + 2;
  const int cell = std::max(m.minCell, kPreferredCell);
  return {2 * kMargin + labels + n * cell, 2 * kMargin + labels + n * cell};
}

QSize ConfusionMatrixView::minimumSizeHint() const {
  const int n = classCount();
  if (n == 0) return {160, 120};
  // The smallest cells that still hold their counts, with the column names turned vertical.
  const Measures m = measure();
  return {2 * kMargin + m.line + 2 * kGap + m.widestLabel + n * m.minCell,
          2 * kMargin + m.line + 2 + m.widestLabel + 2 + kGap + n * m.minCell};
}

void ConfusionMatrixView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  const int n = classCount();
  if (n == 0) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect().adjusted(kMargin, kMargin, -kMargin, -kMargin), Qt::AlignCenter | Qt::TextWordWrap,
               tr("The confusion matrix appears here at the first evaluation of a classification run."));
    return;
  }
  const Geometry g = layoutFor(size());
  const QFontMetrics fm = fontMetrics();
  const int line = fm.height();
  const QRect grid(g.origin, QSize(n * g.cell, n * g.cell));
  const QColor textColor = palette().color(QPalette::WindowText);

  // Axis titles.
  QFont bold = font();
  bold.setBold(true);
  p.setFont(bold);
  p.setPen(textColor);
  p.drawText(QRect(grid.left(), g.origin.y() - g.columnLabelHeight, grid.width(), line), Qt::AlignHCenter | Qt::AlignTop,
             tr("predicted class"));
  p.save();
  p.translate(g.origin.x() - g.rowLabelWidth, grid.center().y());
  p.rotate(-90);
  p.drawText(QRect(-grid.height() / 2, 0, grid.height(), line), Qt::AlignHCenter | Qt::AlignTop, tr("true class"));
  p.restore();
  p.setFont(font());

  // Class names.
  for (int i = 0; i < n; ++i) {
    const QString name = elided(labels_[i]);
    const QRect row(g.origin.x() - g.rowLabelWidth + line + kGap, g.origin.y() + i * g.cell, g.rowLabelWidth - line - 2 * kGap, g.cell);
    p.drawText(row, Qt::AlignRight | Qt::AlignVCenter, name);
    if (g.verticalColumnLabels) {
      p.save();
      p.translate(g.origin.x() + i * g.cell, g.origin.y() - kGap);
      p.rotate(-90);
      // After the turn, x runs up the screen and y to the right: the name starts at the grid and
      // reads bottom to top, so every name sits against its own column.
      p.drawText(QRect(0, 0, g.widestLabel + 2, g.cell), Qt::AlignLeft | Qt::AlignVCenter, name);
      p.restore();
    } else {
      p.drawText(QRect(g.origin.x() + i * g.cell, g.origin.y() - kGap - line, g.cell, line), Qt::AlignHCenter | Qt::AlignBottom, name);
    }
  }

  // Cells: colour by share of the row, the count on top; zeros faint so the errors stand out.
  QFont cellFont = font();
  if (g.cell < 30) cellFont.setPointSizeF(std::max(6.0, cellFont.pointSizeF() * 0.85));
  p.setFont(cellFont);
  for (int t = 0; t < n; ++t) {
    for (int q = 0; q < n; ++q) {
      // From this paint's layout: cellRect() would lay out again for every cell.
      const QRect r(g.origin.x() + q * g.cell, g.origin.y() + t * g.cell, g.cell, g.cell);
      const double share = rowShare(t, q);
      p.fillRect(r, heat(share));
      const qint64 v = counts_[t][q];
      p.setPen(v == 0 ? QColor(170, 170, 170) : share > 0.55 ? Qt::white : QColor(20, 20, 20));
      QFont f = cellFont;
      f.setBold(t == q && v > 0);
      p.setFont(f);
      p.drawText(r, Qt::AlignCenter, QString::number(v));
    }
  }
  p.setPen(QPen(QColor(200, 200, 200), 1));
  for (int i = 0; i <= n; ++i) {
    p.drawLine(grid.left(), grid.top() + i * g.cell, grid.left() + n * g.cell, grid.top() + i * g.cell);
    p.drawLine(grid.left() + i * g.cell, grid.top(), grid.left() + i * g.cell, grid.top() + n * g.cell);
  }
}

int ConfusionMatrixView::cellIndexAt(const QPoint& pos, int* trueClass, int* predicted) const {
  *trueClass = *predicted = -1;
  const int n = classCount();
  const Geometry g = layoutFor(size());
  if (n == 0 || g.cell <= 0) return -1;
  const int x = pos.x() - g.origin.x(), y = pos.y() - g.origin.y();
  const bool inColumns = x >= 0 && x / g.cell < n, inRows = y >= 0 && y / g.cell < n;
  // A cell, a row's name (left of the grid) or a column's name (above it); nothing elsewhere.
  if (inRows && (inColumns || x < 0)) *trueClass = y / g.cell;
  if (inColumns && (inRows || y < 0)) *predicted = x / g.cell;
  return *trueClass >= 0 || *predicted >= 0 ? 0 : -1;
}

QString ConfusionMatrixView::toolTipAt(const QPoint& pos) const {
  int t = -1, q = -1;
  if (cellIndexAt(pos, &t, &q) != 0) return {};
  if (t >= 0 && q >= 0)
    return tr("true: %1\npredicted: %2\n%3 of %4 samples (%5%)")
        .arg(labels_[t], labels_[q])
        .arg(counts_[t][q])
        .arg(rowTotals_[t])
        .arg(rowShare(t, q) * 100, 0, 'f', 1);
  if (t >= 0) return tr("true class %1: %2 samples").arg(labels_[t]).arg(rowTotals_[t]);
  return tr("predicted class %1").arg(labels_[q]);
}

bool ConfusionMatrixView::event(QEvent* e) {
  if (e->type() != QEvent::ToolTip) return QWidget::event(e);
  auto* help = static_cast<QHelpEvent*>(e);
  const QString tip = toolTipAt(help->pos());
  if (tip.isEmpty()) QToolTip::hideText();
  else QToolTip::showText(help->globalPos(), tip, this);
  return true;
}

}  // namespace fts::ui
