#pragma once
// The run store a test binary may empty. tests/CMakeLists.txt gives each test its own FTSTUDIO_HOME
// under build/test-home/. Run by hand, FTSTUDIO_HOME is unset (emptying "" would empty the current
// folder) or is the user's own store: then the test takes a fresh folder under the temporary
// directory instead, and sets FTSTUDIO_HOME to it for itself and the ftstudio it starts.
#include <QCoreApplication>
#include <QDir>
#include <QString>
#include <QtGlobal>

namespace fts::test {

inline QString freshTestHome() {
  QString home = qEnvironmentVariable("FTSTUDIO_HOME");
  if (!home.contains(QStringLiteral("/test-home/"))) {
    home = QDir::temp().filePath(QStringLiteral("ftstudio-test-home-%1").arg(QCoreApplication::applicationPid()));
    qputenv("FTSTUDIO_HOME", home.toUtf8());
  }
  QDir(home).removeRecursively();
  return home;
}

}  // namespace fts::test
