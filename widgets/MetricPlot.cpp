#include "widgets/MetricPlot.h"

#include <qcustomplot.h>

#include <QVBoxLayout>

namespace fts::ui {

MetricPlot::MetricPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectLegend);
  plot_->legend->setVisible(false);  // shown once a series has data
  plot_->legend->setBrush(QColor(255, 255, 255, 210));
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  plot_->xAxis->setLabel(tr("step"));
  plot_->setNoAntialiasingOnDrag(true);
  setMinimumSize(320, 200);
}

void MetricPlot::addSeries(const QString& name, const QString& label, const QColor& color, bool rightAxis) {
  if (series_.contains(name)) return;
  QCPAxis* valueAxis = rightAxis ? plot_->yAxis2 : plot_->yAxis;
  auto* g = plot_->addGraph(plot_->xAxis, valueAxis);
  g->setName(label);
  g->setPen(QPen(color, 1.6));
  g->setAdaptiveSampling(true);
  g->removeFromLegend();  // listed once it has data: a legend names only what is drawn
  // Sparse series (evaluations) show their points; dense ones (every step) are plain lines.
  if (name.startsWith(QLatin1String("val/"))) g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
  series_.insert(name, Series{g, {}, {}});
}

void MetricPlot::append(const QString& name, double x, double y) {
  auto it = series_.find(name);
  if (it == series_.end()) return;  // series the plot does not show
  it->pendingX.append(x);
  it->pendingY.append(y);
}

void MetricPlot::flush() {
  bool changed = false;
  for (auto it = series_.begin(); it != series_.end(); ++it) {
    if (it->pendingX.isEmpty()) continue;
    // Points arrive in step order, so the data container can skip its sort.
    it->graph->addData(it->pendingX, it->pendingY, /*alreadySorted=*/true);
    it->pendingX.clear();
    it->pendingY.clear();
    it->graph->addToLegend();
    if (it->graph->valueAxis() == plot_->yAxis2) plot_->yAxis2->setVisible(true);
    changed = true;
  }
  if (!changed) return;
  plot_->legend->setVisible(plot_->legend->itemCount() > 0);
  // Steps start at 0 on every plot so stacked plots line up; values get a margin so markers
  // at the extremes stay whole.
  plot_->xAxis->rescale();
  plot_->xAxis->setRangeLower(0);
  for (QCPAxis* axis : {plot_->yAxis, plot_->yAxis2}) {
    if (!axis->visible()) continue;
    // From the data, not QCPAxis::rescale(): for a flat series (accuracy 1.0 at every evaluation)
    // rescale keeps the axis' old span (0..5), and the line would sit in an empty plot.
    QCPRange r;
    bool any = false;
    for (QCPGraph* g : axis->graphs()) {
      bool found = false;
      const QCPRange gr = g->getValueRange(found);
      if (!found) continue;
      r = any ? QCPRange(std::min(r.lower, gr.lower), std::max(r.upper, gr.upper)) : gr;
      any = true;
    }
    if (!any) continue;
    const double pad = r.size() > 0 ? r.size() * 0.08 : std::max(1e-3, std::abs(r.lower) * 0.05);
    axis->setRange(r.lower - pad, r.upper + pad);
  }
  ++replots_;
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void MetricPlot::clear() {
  for (auto& s : series_) {
    s.graph->data()->clear();
    s.graph->removeFromLegend();
    s.pendingX.clear();
    s.pendingY.clear();
  }
  plot_->yAxis2->setVisible(false);
  plot_->legend->setVisible(false);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void MetricPlot::setAxisLabels(const QString& x, const QString& yLeft, const QString& yRight) {
  plot_->xAxis->setLabel(x);
  plot_->yAxis->setLabel(yLeft);
  if (!yRight.isEmpty()) plot_->yAxis2->setLabel(yRight);
}

void MetricPlot::setLegendCorner(Qt::Alignment corner) {
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, corner);
}

int MetricPlot::pointCount(const QString& name) const {
  auto it = series_.find(name);
  return it == series_.end() ? 0 : it->graph->dataCount();
}

}  // namespace fts::ui
