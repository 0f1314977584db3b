#include "ui/Translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

namespace fts::ui {

bool installTranslations(const QLocale& locale) {
  // Owned by the application: translators must outlive every widget that uses them.
  auto* qt = new QTranslator(QCoreApplication::instance());
  if (qt->load(locale, "qtbase", "_", QLibraryInfo::path(QLibraryInfo::TranslationsPath))) QCoreApplication::installTranslator(qt);
  auto* ours = new QTranslator(QCoreApplication::instance());
  if (!ours->load(locale, "finetune-studio", "_", ":/i18n")) return false;
  QCoreApplication::installTranslator(ours);
  return true;
}

}  // namespace fts::ui
