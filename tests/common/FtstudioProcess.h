#pragma once
// Runs the built `ftstudio` as a user would, for the tests of its commands: exit code, whether it
// crashed (or ran past the limit and was killed), stdout and stderr. Header-only, Qt Test helpers.
#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>

namespace fts::test {

struct FtstudioRun {
  int code = -1;
  bool crashed = false;  // killed by a signal, or by us after timeoutMs
  QByteArray out, err;
};

inline FtstudioRun ftstudio(const QStringList& args, int timeoutMs = 180000) {
  QProcess p;
  p.start(QStringLiteral(FTS_BIN_DIR "/ftstudio"), args);
  FtstudioRun r;
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    r.crashed = true;
    return r;
  }
  r.crashed = p.exitStatus() != QProcess::NormalExit;
  r.code = p.exitCode();
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

// The JSON object on the last line of a command's output (`--json` prints one at the end).
inline QJsonObject lastJsonObject(const QByteArray& out) {
  const auto lines = out.trimmed().split('\n');
  return QJsonDocument::fromJson(lines.last()).object();
}

}  // namespace fts::test
