// `ftstudio import` as a user runs it: a GGUF file our exporter wrote becomes a model folder (--json
// keys, one progress line per tensor on stderr), and bad input exits 2 with a message naming the file.
// Torch before Qt: Qt's `slots` macro breaks torch headers included after it.
#include "tests/export/ExportFixtures.h"

#include "core/export/LlamaGguf.h"
#include "core/util/AtomicFile.h"
#include "tests/common/FtstudioProcess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using fts::test::ftstudio;

class TestCliImport : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString gguf_;
  int64_t parameters_ = 0;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    auto tok = exportfx::trainTokenizer(dir_.filePath("tokenizer.model").toStdString());
    fts::LlamaForTask model(exportfx::config(tok.vocabSize() + 5), fts::HeadKind::CausalLM);
    exportfx::randomize(*model, 5);
    for (const auto& p : model->parameters()) parameters_ += p.numel();
    gguf_ = dir_.filePath("tiny.gguf");
    fts::llamaToGguf(model, tok, fts::GgmlType::Q8_0, "tiny").write(gguf_.toStdString());
  }

  void importsWithJson() {
    const QString out = dir_.filePath("tiny-hf");
    const auto r = ftstudio({"import", gguf_, "--out", out, "--dtype", "f32", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject j = fts::test::lastJsonObject(r.out);
    QCOMPARE(j["out"].toString(), out);
    QCOMPARE(j["architecture"].toString(), QString("LlamaForCausalLM"));
    QCOMPARE(j["tokenizer"].toString(), QString("sentencepiece"));
    QCOMPARE(static_cast<int64_t>(j["parameters"].toDouble()), parameters_);
    QVERIFY(j["seconds"].toDouble() >= 0.0);
    const int tensors = j["tensors"].toInt();
    QVERIFY(tensors > 10);
    QCOMPARE(static_cast<int>(r.err.count("\n[")) + (r.err.startsWith("[") ? 1 : 0), tensors);  // one progress line per tensor
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json"}) QVERIFY(QFile::exists(out + "/" + f));
    // Without --json: a human summary.
    const auto h = ftstudio({"import", gguf_, "--out", out});
    QVERIFY2(h.code == 0, h.err.constData());
    QVERIFY2(h.out.contains("imported") && h.out.contains("LlamaForCausalLM") && h.out.contains("bf16"), h.out.constData());
  }

  void badInputExitsTwoNamingTheFile() {
    const QString missing = dir_.filePath("missing.gguf");
    auto r = ftstudio({"import", missing, "--out", dir_.filePath("m-hf")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("missing.gguf"), r.err.constData());

    const QString cut = dir_.filePath("cut.gguf");
    const std::string bytes = fts::readWholeFile(gguf_.toStdString());
    fts::writeFileAtomically(cut.toStdString(), std::string_view(bytes).substr(0, bytes.size() / 2));
    r = ftstudio({"import", cut, "--out", dir_.filePath("cut-hf")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("cut.gguf") && r.err.contains("truncated"), r.err.constData());
    QVERIFY(!QFile::exists(dir_.filePath("cut-hf")));

    const QString text = dir_.filePath("not.gguf");
    fts::writeFileAtomically(text.toStdString(), "this is not a model, just some text that is long enough");
    r = ftstudio({"import", text, "--out", dir_.filePath("t-hf")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("not.gguf") && r.err.contains("GGUF"), r.err.constData());

    r = ftstudio({"import", gguf_, "--out", dir_.filePath("d-hf"), "--dtype", "q4"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("--dtype"), r.err.constData());

    r = ftstudio({"import", gguf_});  // --out is required
    QCOMPARE(r.code, 2);
  }
};

QTEST_APPLESS_MAIN(TestCliImport)
#include "test_cli_import.moc"
