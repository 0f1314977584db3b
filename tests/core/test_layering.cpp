// The architecture's rules, checked on the source tree: core/ never includes Qt; ui/, widgets/ and
// app/ never include torch, directly or through a core header that does; CMake never found Qt 5.
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

namespace {

QStringList sources(const QString& folder) {
  QStringList out;
  QDirIterator it(QStringLiteral(FTS_SOURCE_DIR "/") + folder, {"*.h", "*.hpp", "*.cpp"}, QDir::Files,
                  QDirIterator::Subdirectories);
  while (it.hasNext()) out << it.next();
  return out;
}

QStringList includes(const QString& file) {
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly)) return {};
  // A plain string, not a raw one: moc's tokenizer trips over raw strings holding quotes.
  static const QRegularExpression re("^\\s*#\\s*include\\s*[<\"]([^>\"]+)[>\"]", QRegularExpression::MultilineOption);
  QStringList out;
  auto it = re.globalMatch(QString::fromUtf8(f.readAll()));
  while (it.hasNext()) out << it.next().captured(1);
  return out;
}

bool isTorch(const QString& inc) {
  return inc.startsWith("torch/") || inc.startsWith("ATen/") || inc.startsWith("c10/");
}

}  // namespace

class TestLayering : public QObject {
  Q_OBJECT
 private slots:
  void coreNeverIncludesQt() {
    for (const QString& file : sources("core"))
      for (const QString& inc : includes(file))
        QVERIFY2(!inc.startsWith('Q') && !inc.startsWith("qcustomplot"), qPrintable(file + " includes " + inc));
  }

  void guiLayersNeverSeeTorch() {
    // Core headers that pull in torch, directly or through another core header.
    QSet<QString> torchHeaders;
    bool grew = true;
    const QStringList coreFiles = sources("core");
    while (grew) {
      grew = false;
      for (const QString& file : coreFiles) {
        if (!file.endsWith(".h")) continue;
        const QString rel = file.mid(QStringLiteral(FTS_SOURCE_DIR "/").size());
        if (torchHeaders.contains(rel)) continue;
        for (const QString& inc : includes(file))
          if (isTorch(inc) || torchHeaders.contains(inc)) {
            torchHeaders.insert(rel);
            grew = true;
            break;
          }
      }
    }
    for (const QString& folder : {"ui", "widgets", "app/gui"})
      for (const QString& file : sources(folder))
        for (const QString& inc : includes(file))
          QVERIFY2(!isTorch(inc) && !torchHeaders.contains(inc), qPrintable(file + " includes " + inc + " (torch)"));
  }

  void cmakeNeverFoundQt5() {
    QFile cache(FTS_CMAKE_CACHE);
    QVERIFY(cache.open(QIODevice::ReadOnly));
    for (const QByteArray& line : cache.readAll().split('\n'))
      if (line.startsWith("Qt5") && line.contains("_DIR:"))
        QVERIFY2(line.endsWith("NOTFOUND") || line.endsWith("="), line.constData());
  }
};

QTEST_GUILESS_MAIN(TestLayering)
#include "test_layering.moc"
