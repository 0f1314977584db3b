#include "ui/ModelPickerButton.h"

#include "core/io/ModelCatalog.h"
#include "core/runs/RunPaths.h"

#include <QMenu>

namespace fts::ui {
namespace {

QString parameterCount(int64_t n) {
  if (n >= 100000000) return QStringLiteral("%1M").arg(n / 1e6, 0, 'f', 0);
  if (n >= 1000000) return QStringLiteral("%1M").arg(n / 1e6, 0, 'f', 1);
  return QStringLiteral("%1K").arg(n / 1e3, 0, 'f', 0);
}

}  // namespace

ModelPickerButton::ModelPickerButton(QWidget* parent) : QToolButton(parent) {
  setObjectName("modelPicker");
  setText(tr("Models"));
  setToolTip(tr("Model folders found on this machine: the shipped base model, those `make models` brought, "
                "and folders under the studio home or named in FTSTUDIO_MODELS"));
  setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(this);
  setMenu(menu);
  connect(menu, &QMenu::aboutToShow, this, &ModelPickerButton::refill);
  refill();
}

void ModelPickerButton::refill() {
  QMenu* m = menu();
  m->clear();
  const auto models = findModelFolders(modelSearchRoots(studioHome()));
  if (models.empty()) {
    m->addAction(tr("No model folders found (run `make models`)"))->setEnabled(false);
    return;
  }
  for (const auto& info : models) {
    const QString label = tr("%1 — %2, %3 parameters, %4 tokenizer")
                              .arg(QString::fromStdString(info.name), QString::fromStdString(info.architecture),
                                   parameterCount(info.parameters), QString::fromStdString(info.tokenizerKind));
    QAction* a = m->addAction(label);
    const QString folder = QString::fromStdString(info.folder.string());
    a->setToolTip(info.note.empty() ? folder : folder + "\n" + QString::fromStdString(info.note));
    a->setEnabled(info.trainable);
    connect(a, &QAction::triggered, this, [this, folder] { emit picked(folder); });
  }
}

QStringList ModelPickerButton::entries() const {
  QStringList out;
  for (const QAction* a : menu()->actions()) out << a->text();
  return out;
}

}  // namespace fts::ui
