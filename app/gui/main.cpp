// finetune-studio: the desktop application. Usage: finetune-studio [PROJECT.ftproject | DATA_FILE]
#include "core/util/OpenMpWaitPolicy.h"
#include "core/util/Runtime.h"
#include "ui/MainWindow.h"
#include "ui/Translations.h"

#include <QApplication>
#include <QIcon>
#include <QLocale>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// Qt aborts with a long message when it finds no display; say it in one line and how to go on.
bool haveDisplay() {
  const char* platform = std::getenv("QT_QPA_PLATFORM");
  if (platform && *platform && std::strncmp(platform, "xcb", 3) != 0 && std::strncmp(platform, "wayland", 7) != 0) return true;
  const char* x = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  return (x && *x) || (w && *w);
}

}  // namespace

int main(int argc, char** argv) {
  fts::applyOpenMpWaitPolicy(argv);  // may start the program again, before anything else runs
  if (!haveDisplay()) {
    std::fprintf(stderr,
                 "finetune-studio: no display (DISPLAY is unset); run it under a virtual one with "
                 "`xvfb-run -a %s ...`, or train headless with `ftstudio train --data FILE`\n",
                 argv[0]);
    return 3;
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("Fine-tuning Studio");
  QApplication::setOrganizationName("finetune-studio");
  QApplication::setApplicationVersion(FTS_VERSION);
  QApplication::setWindowIcon(QIcon(":/icons/finetune-studio.svg"));

  // English is the source language; Simplified Chinese loads for a zh_CN locale (LANG=zh_CN.UTF-8).
  fts::ui::installTranslations(QLocale());

  // LibTorch starts with one thread on these machines: use every core unless told otherwise.
  fts::configureThreads(0);

  fts::ui::MainWindow window;
  window.show();
  const QStringList args = QApplication::arguments();
  if (args.size() > 1) window.openPath(args.at(1));
  return QApplication::exec();
}
