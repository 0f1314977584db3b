#pragma once
// A "Models" button beside the base model field: its menu lists every model folder the studio finds
// (the shipped base model, `make models`, the studio home, FTSTUDIO_MODELS) with architecture,
// parameter count and tokenizer kind, read afresh each time it opens. Picking one emits its folder.
#include <QToolButton>

namespace fts::ui {

class ModelPickerButton : public QToolButton {
  Q_OBJECT
 public:
  explicit ModelPickerButton(QWidget* parent = nullptr);
  // The menu's entries as shown, for tests: "name — architecture, parameters, tokenizer".
  QStringList entries() const;

 signals:
  void picked(const QString& folder);

 private:
  void refill();
};

}  // namespace fts::ui
