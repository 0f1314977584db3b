#pragma once
// A confusion matrix as a heat map: one row per true class, one column per predicted class, each
// cell showing its count, coloured by its share of the row (row-normalised, so a small class's
// errors stand out as much as a large one's). Class names label both axes; column names turn
// vertical when they do not fit across, and long names are elided with the full name in a tooltip.
// Painted by hand: a few dozen rectangles repaint in well under a millisecond, unlike a table of
// items or a plot.
#include <QStringList>
#include <QVector>
#include <QWidget>

namespace fts::ui {

class ConfusionMatrixView : public QWidget {
  Q_OBJECT
 public:
  explicit ConfusionMatrixView(QWidget* parent = nullptr);

  // counts[true][predicted]; labels name the classes in the same order. Rows of another length
  // than labels are a caller's error: the matrix is then cleared.
  void setMatrix(const QStringList& labels, const QVector<QVector<qint64>>& counts);
  void clear();

  int classCount() const { return static_cast<int>(labels_.size()); }
  QStringList labels() const { return labels_; }
  qint64 count(int trueClass, int predicted) const;
  // The cell's count as a share of its row (0 for an empty row): what its colour shows.
  double rowShare(int trueClass, int predicted) const;
  // What a cell shows, and where it is drawn (for tests and screenshots).
  QString cellText(int trueClass, int predicted) const;
  QRect cellRect(int trueClass, int predicted) const;
  QColor cellColor(int trueClass, int predicted) const;
  // The tooltip at a point: a cell's counts, a row's or a column's class; empty elsewhere.
  QString toolTipAt(const QPoint& pos) const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;  // tooltips per cell and per label

 private:
  struct Geometry {
    int rowLabelWidth = 0;      // left of the grid: the axis title and the true class names
    int columnLabelHeight = 0;  // above the grid: the axis title and the predicted class names
    int widestLabel = 0;        // pixels of the longest (elided) class name
    bool verticalColumnLabels = false;
    int cell = 0;
    QPoint origin;           // top left of the grid
  };
  // Computed from the current size whenever needed (a few dozen additions): a cached copy would go
  // stale while the widget is hidden, as resize events reach hidden widgets only when shown.
  Geometry layoutFor(const QSize& size) const;
  // Label sizes and the smallest cell that holds the largest count.
  struct Measures {
    int line = 0, widestLabel = 0, minCell = 0;
  };
  Measures measure() const;
  int cellIndexAt(const QPoint& pos, int* trueClass, int* predicted) const;
  QString elided(const QString& label) const;

  QStringList labels_;
  QVector<QVector<qint64>> counts_;
  QVector<qint64> rowTotals_;
};

}  // namespace fts::ui
