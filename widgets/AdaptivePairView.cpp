#include "widgets/AdaptivePairView.h"

#include <QEvent>
#include <QScrollBar>
#include <QStyle>

namespace fts::ui {

AdaptivePairView::AdaptivePairView(QWidget* first, QWidget* second, QWidget* parent)
    : QScrollArea(parent), page_(new QWidget), first_(first), second_(second) {
  box_ = new QBoxLayout(QBoxLayout::LeftToRight, page_);
  box_->setContentsMargins(0, 0, 0, 0);
  box_->addWidget(first_, 1);
  box_->addWidget(second_, 0, Qt::AlignTop | Qt::AlignLeft);
  // One background behind both, so they read as one page.
  page_->setBackgroundRole(QPalette::Base);
  page_->setAutoFillBackground(true);
  setWidget(page_);
  setWidgetResizable(true);
  setFrameShape(QFrame::NoFrame);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  // A child whose size hint changes (a report with more classes) asks its parent to lay out again.
  page_->installEventFilter(this);
}

void AdaptivePairView::chooseDirection() {
  // Decided on the view's width, not the page's: side by side, the page is at least as wide as
  // both widgets, so deciding on its width would never go back to stacked.
  const int needed = first_->minimumSizeHint().width() + box_->spacing() + second_->sizeHint().width();
  const int available = viewport()->width() - (verticalScrollBar()->isVisible() ? 0 : style()->pixelMetric(QStyle::PM_ScrollBarExtent));
  const auto direction = needed <= available ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom;
  if (direction == box_->direction()) return;
  box_->setDirection(direction);
  // Stacked, the second sits centred under the first (which centres its own content).
  box_->setAlignment(second_, direction == QBoxLayout::LeftToRight ? Qt::AlignTop | Qt::AlignLeft : Qt::AlignHCenter);
}

void AdaptivePairView::resizeEvent(QResizeEvent* event) {
  chooseDirection();
  QScrollArea::resizeEvent(event);
}

bool AdaptivePairView::eventFilter(QObject* watched, QEvent* event) {
  if (watched == page_ && event->type() == QEvent::LayoutRequest) chooseDirection();
  return QScrollArea::eventFilter(watched, event);
}

}  // namespace fts::ui
