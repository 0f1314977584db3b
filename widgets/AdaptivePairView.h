#pragma once
// Two widgets side by side when the view is wide enough for both, else one above the other; the
// view scrolls vertically when they are taller than it, never sideways. For a report that must stay
// readable in a maximised window and in a small one alike (a confusion matrix and its table).
#include <QBoxLayout>
#include <QScrollArea>

namespace fts::ui {

class AdaptivePairView : public QScrollArea {
  Q_OBJECT
 public:
  // first grows to fill the space; second keeps its size hint.
  AdaptivePairView(QWidget* first, QWidget* second, QWidget* parent = nullptr);

  bool isSideBySide() const { return box_->direction() == QBoxLayout::LeftToRight; }

 protected:
  void resizeEvent(QResizeEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void chooseDirection();
  QWidget* page_;
  QBoxLayout* box_;
  QWidget *first_, *second_;
};

}  // namespace fts::ui
