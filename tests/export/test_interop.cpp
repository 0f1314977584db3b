// The outside-tools checks of `make interop` (interop/run.sh: transformers loads our Hugging Face
// exports and matches our logits, the gguf package reads our GGUF files, a Llama saved by
// transformers is imported, fine-tuned, exported and reloaded, and peft loads our LoRA adapters onto
// the base and matches our logits), run against this build's ftstudio.
// They need the Python environment that `make interop` creates (.venv-interop/); without it the test
// is skipped and says so.
#include <QProcess>
#include <QtTest>

class TestInterop : public QObject {
  Q_OBJECT
 private slots:
  void outsideToolsLoadOurExports() {
    const QString venv = QString(FTS_SOURCE_DIR) + "/.venv-interop/bin/python";
    if (!QFileInfo::exists(venv))
      QSKIP("no .venv-interop/ (transformers, gguf, sentencepiece from PyPI): run `make interop` once to create it");
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("FTSTUDIO_BIN", QString(FTS_BIN_DIR) + "/ftstudio");
    p.setProcessEnvironment(env);
    p.start("bash", {QString(FTS_SOURCE_DIR) + "/interop/run.sh", "--no-setup"});
    QVERIFY(p.waitForStarted());
    const bool finished = p.waitForFinished(840000);
    const QByteArray out = p.readAll();
    qInfo("%s", out.constData());
    QVERIFY2(finished, "interop checks did not finish in 14 minutes");
    QVERIFY2(p.exitCode() == 0, "interop checks failed: see the output above");
  }
};

QTEST_GUILESS_MAIN(TestInterop)
#include "test_interop.moc"
