#pragma once
// Per-class precision, recall, F1 and support of a classification evaluation, with the macro and
// weighted averages as the last two rows (bold, apart from the classes). F1 cells are tinted from
// red (0) to green (1) so the weak classes show at a glance. Sorting by a column keeps the two
// average rows at the bottom.
#include <QString>
#include <QVector>
#include <QWidget>

class QTableWidget;

namespace fts::ui {

struct ClassMetricsRow {
  QString label;
  double precision = 0, recall = 0, f1 = 0;
  qint64 support = 0;
};

class ClassMetricsTable : public QWidget {
  Q_OBJECT
 public:
  explicit ClassMetricsTable(QWidget* parent = nullptr);

  void setMetrics(const QVector<ClassMetricsRow>& classes, const ClassMetricsRow& macro, const ClassMetricsRow& weighted);
  void clear();

  // Show every row at its content size, without scroll bars (for a page that scrolls as a whole);
  // off by default: the table scrolls within whatever space it gets.
  void setShowAllRows(bool all);
  // The size that shows every row and column whole.
  QSize sizeHint() const override;

  QTableWidget* table() const { return table_; }
  int classCount() const { return classes_.size(); }
  // The text of a cell as shown; row = class index in the order given (then macro, weighted),
  // column 0 label, 1 precision, 2 recall, 3 F1, 4 support, whatever the sorting on screen.
  QString text(int row, int column) const;

 private:
  void fill();
  void fitToContents();
  void sortBy(int column);
  bool showAllRows_ = false;
  QTableWidget* table_;
  QVector<ClassMetricsRow> classes_;  // in the order given
  QVector<int> order_;                // the order shown
  int sortColumn_ = -1;               // -1: as given
  Qt::SortOrder sortOrder_ = Qt::AscendingOrder;
  ClassMetricsRow macro_, weighted_;
};

}  // namespace fts::ui
