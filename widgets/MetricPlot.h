#pragma once
// A live plot of metric series (QCustomPlot), built for streaming: points are appended in batches
// and the plot replots at most once per flush, queued, never once per point (PlotJuggler's habit).
#include <QHash>
#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace fts::ui {

class MetricPlot : public QWidget {
  Q_OBJECT
 public:
  explicit MetricPlot(QWidget* parent = nullptr);

  // Declares a series before its first point so its colour and axis are fixed.
  void addSeries(const QString& name, const QString& label, const QColor& color, bool rightAxis = false);
  // Buffers points; nothing is drawn until flush().
  void append(const QString& name, double x, double y);
  // Moves buffered points into the graphs and queues one replot if anything changed.
  void flush();
  void clear();

  void setAxisLabels(const QString& x, const QString& yLeft, const QString& yRight = {});
  // Where the legend sits: where the curves are not expected to be (top right for falling losses).
  void setLegendCorner(Qt::Alignment corner);
  int pointCount(const QString& name) const;
  int replotCount() const { return replots_; }
  QCustomPlot* plot() const { return plot_; }

 private:
  struct Series {
    QCPGraph* graph = nullptr;
    QVector<double> pendingX, pendingY;
  };
  QCustomPlot* plot_;
  QHash<QString, Series> series_;
  int replots_ = 0;
};

}  // namespace fts::ui
