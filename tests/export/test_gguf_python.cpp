// Our GGUF files read by llama.cpp's own Python package (`gguf`, via tests/export/check_gguf.py):
// metadata, tensor names, shapes, types and values against the Hugging Face export of the same model,
// for every dtype. Runs with the Python of `make interop` (.venv-interop) when it is there, else
// Debian's /usr/bin/python3 when it can import gguf; otherwise skipped, saying why.
#include "ExportFixtures.h"

#include "core/export/Exporter.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

// A Python that imports gguf and numpy, or empty; `why` says what was tried.
QString findPython(QString* why) {
  const QStringList candidates = {QString(FTS_SOURCE_DIR) + "/.venv-interop/bin/python", "/usr/bin/python3"};
  QStringList tried;
  for (const auto& py : candidates) {
    if (!QFileInfo::exists(py)) {
      tried << py + " does not exist";
      continue;
    }
    QProcess p;
    p.start(py, {"-c", "import gguf, numpy"});
    if (p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0) return py;
    tried << py + " cannot import gguf";
  }
  *why = tried.join("; ") + " (run `make interop` to create .venv-interop with gguf)";
  return {};
}

}  // namespace

class TestGgufPython : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString python_, why_;

  std::filesystem::path path(const std::string& n) const { return dir_.filePath(QString::fromStdString(n)).toStdString(); }

 private slots:
  void initTestCase() {
    python_ = findPython(&why_);
    if (python_.isEmpty()) return;
    auto tok = exportfx::trainTokenizer(path("tokenizer.model"));
    exportfx::makeModelFolder(path("lm"), tok, false);
    exportfx::makeModelFolder(path("tied"), tok, false, /*tied=*/true, 9);
  }

  void ggufPackageReadsOurFiles_data() {
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("dtype");
    for (const char* d : {"f32", "f16", "bf16", "q8_0"}) QTest::newRow(d) << "lm" << d;
    QTest::newRow("tied embeddings, q8_0") << "tied" << "q8_0";
  }

  void ggufPackageReadsOurFiles() {
    if (python_.isEmpty()) QSKIP(qPrintable("the gguf Python package is not available: " + why_));
    QFETCH(QString, source);
    QFETCH(QString, dtype);
    fts::ExportOptions hf;
    hf.out = path(source.toStdString() + "-hf-" + dtype.toStdString());
    fts::exportModel(path(source.toStdString()), hf);
    fts::ExportOptions g;
    g.format = fts::ExportFormat::Gguf;
    g.dtype = *fts::exportDtypeFromName(dtype.toStdString());
    g.out = path(source.toStdString() + "-gguf-" + dtype.toStdString());
    fts::exportModel(path(source.toStdString()), g);

    QProcess py;
    py.setProcessChannelMode(QProcess::MergedChannels);
    py.start(python_, {QString(FTS_SOURCE_DIR) + "/tests/export/check_gguf.py",
                       QString::fromStdString((g.out / ("model-" + dtype.toStdString() + ".gguf")).string()),
                       QString::fromStdString(hf.out.string()), "--dtype", dtype});
    QVERIFY(py.waitForFinished(120000));
    const QByteArray out = py.readAll();
    qInfo("%s: %s", qPrintable(python_), out.trimmed().constData());
    QVERIFY2(py.exitCode() == 0, out.constData());
  }
};

QTEST_GUILESS_MAIN(TestGgufPython)
#include "test_gguf_python.moc"
