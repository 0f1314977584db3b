#pragma once
// Installs the translations for a locale: ours (embedded under :/i18n) and Qt's own dialogs'.
// English is the source language, so it needs none.
#include <QLocale>

namespace fts::ui {

// Returns true when our translation for the locale was found and installed.
bool installTranslations(const QLocale& locale);

}  // namespace fts::ui
