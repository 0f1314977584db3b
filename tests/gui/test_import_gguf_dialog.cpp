// The Import GGUF dialog, offscreen, on tiny GGUF files the test writes with core/export's GgufWriter
// (a random 2-layer llama with grouped-query attention, Q8_0 matrices, F32 norms, a byte-level BPE
// vocabulary): the header shown before import, the default folder under the studio home where the
// model picker finds it, the import on its worker with the result and "Use as Base Model" filling the
// Training panel's field (opened from File > Import GGUF…); a file that is not GGUF and an architecture
// the importer refuses show the reader's and the importer's messages; a cancel leaves no folder.
// With FTS_SCREENSHOT_DIR set, the dialog after the import is saved there as a PNG.
#include "core/export/GgufWriter.h"
#include "core/runs/RunPaths.h"
#include "core/util/AtomicFile.h"
#include "tests/common/TestHome.h"
#include "ui/ImportGgufDialog.h"
#include "ui/MainWindow.h"
#include "ui/ModelPickerButton.h"
#include "ui/TrainingPanel.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

#include <cstdint>
#include <vector>

using namespace fts::ui;

namespace {

QString home() { return QString::fromStdString(fts::studioHome().string()); }

// GPT-2's byte-to-unicode table: printable bytes stand for themselves, the rest for U+0100 upwards.
std::vector<std::string> byteLevelAlphabet() {
  std::vector<std::string> out(256);
  int next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    const int cp = printable ? b : next++;
    std::string s;
    if (cp < 0x80) s += static_cast<char>(cp);
    else {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    out[b] = s;
  }
  return out;
}

struct TinyShape {
  int layers = 2, hidden = 32, heads = 4, kvHeads = 2, ffn = 64;
};

// Values in [-0.5, 0.5) from a fixed LCG: weights far enough from zero that Q8_0 blocks are not empty.
std::vector<float> randomValues(size_t n, uint32_t& state) {
  std::vector<float> v(n);
  for (auto& x : v) {
    state = state * 1664525u + 1013904223u;
    x = static_cast<float>(state >> 8) / 16777216.0f - 0.5f;
  }
  return v;
}

// A llama GGUF as llama.cpp's converter lays it out: tied embeddings (no output.weight), the byte-level
// BPE vocabulary of 3 specials + 256 bytes + 2 merged tokens. Returns the parameter count.
int64_t writeTinyGguf(const QString& file, const TinyShape& s, const std::string& architecture = "llama") {
  using fts::GgufValue;
  fts::GgufWriter w;
  std::vector<std::string> tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  std::vector<int32_t> types = {3, 3, 3};
  for (const auto& b : byteLevelAlphabet()) {
    tokens.push_back(b);
    types.push_back(1);
  }
  for (const char* merged : {"\xC4\xA0t", "he"}) {
    tokens.push_back(merged);
    types.push_back(1);
  }
  const int V = static_cast<int>(tokens.size()), D = s.hidden, Dh = s.hidden / s.heads;
  w.set("general.architecture", GgufValue::string(architecture));
  w.set("general.name", GgufValue::string("tiny"));
  const std::string a = architecture + ".";
  w.set(a + "vocab_size", GgufValue::u32(V));
  w.set(a + "context_length", GgufValue::u32(128));
  w.set(a + "embedding_length", GgufValue::u32(D));
  w.set(a + "block_count", GgufValue::u32(s.layers));
  w.set(a + "feed_forward_length", GgufValue::u32(s.ffn));
  w.set(a + "attention.head_count", GgufValue::u32(s.heads));
  w.set(a + "attention.head_count_kv", GgufValue::u32(s.kvHeads));
  w.set(a + "attention.layer_norm_rms_epsilon", GgufValue::f32(1e-5f));
  w.set(a + "rope.freq_base", GgufValue::f32(10000.0f));
  w.set("tokenizer.ggml.model", GgufValue::string("gpt2"));
  w.set("tokenizer.ggml.pre", GgufValue::string("smollm"));
  w.set("tokenizer.ggml.tokens", GgufValue::strings(tokens));
  w.set("tokenizer.ggml.token_type", GgufValue::i32s(types));
  w.set("tokenizer.ggml.merges", GgufValue::strings({"\xC4\xA0 t", "h e"}));
  w.set("tokenizer.ggml.bos_token_id", GgufValue::u32(1));
  w.set("tokenizer.ggml.eos_token_id", GgufValue::u32(2));
  w.set("tokenizer.ggml.add_bos_token", GgufValue::boolean(false));

  uint32_t state = 12345;
  int64_t parameters = 0;
  auto add = [&](const std::string& name, std::vector<int64_t> shape, fts::GgmlType type) {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    const auto values = randomValues(n, state);
    w.addTensor(name, shape, values, type);
    parameters += static_cast<int64_t>(n);
  };
  using fts::GgmlType;
  add("token_embd.weight", {V, D}, GgmlType::Q8_0);  // [V, D]
  for (int l = 0; l < s.layers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    add(b + "attn_norm.weight", {D}, GgmlType::F32);
    add(b + "attn_q.weight", {s.heads * Dh, D}, GgmlType::Q8_0);    // [H*Dh, D]
    add(b + "attn_k.weight", {s.kvHeads * Dh, D}, GgmlType::Q8_0);  // [Hkv*Dh, D]
    add(b + "attn_v.weight", {s.kvHeads * Dh, D}, GgmlType::Q8_0);  // [Hkv*Dh, D]
    add(b + "attn_output.weight", {D, s.heads * Dh}, GgmlType::Q8_0);
    add(b + "ffn_norm.weight", {D}, GgmlType::F32);
    add(b + "ffn_gate.weight", {s.ffn, D}, GgmlType::Q8_0);  // [F, D]
    add(b + "ffn_up.weight", {s.ffn, D}, GgmlType::Q8_0);
    add(b + "ffn_down.weight", {D, s.ffn}, GgmlType::Q8_0);  // [D, F]
  }
  add("output_norm.weight", {D}, GgmlType::F32);
  w.write(file.toStdString());
  return parameters;
}

void screenshot(QWidget& w, const QString& name) {
  const QString dir = qEnvironmentVariable("FTS_SCREENSHOT_DIR");
  if (!dir.isEmpty()) w.grab().save(QDir(dir).filePath(name));
}

// Names beside `folder` that start with a dot: a staging folder the import failed to remove.
QStringList hiddenSiblings(const QString& folder) {
  return QDir(QFileInfo(folder).absolutePath()).entryList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot).filter(QRegularExpression("^\\."));
}

}  // namespace

class TestImportGgufDialog : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString tiny_;
  int64_t tinyParameters_ = 0;

 private slots:
  void initTestCase() {
    fts::test::freshTestHome();
    QVERIFY(dir_.isValid());
    tiny_ = dir_.filePath("tiny-gguf.gguf");
    tinyParameters_ = writeTinyGguf(tiny_, {});
  }

  void showsTheHeaderAndImportsIntoTheModelsFolder() {
    ImportGgufDialog d(home());
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    QVERIFY(!d.importButton()->isEnabled());  // no file yet
    d.setGgufFile(tiny_);
    const QString shown = d.metadataView()->text();
    for (const QString& part : {QString("llama · tiny"), QString("Layers"), QString("(key/value heads: 2)"), QString("261"),
                                QString("byte-level BPE"), QString("Q8_0 × 15"), QString("F32 × 5"), QString("(20 tensors)"),
                                QLocale(QLocale::English).toString(static_cast<qlonglong>(tinyParameters_))})
      QVERIFY2(shown.contains(part), qPrintable(part + " not in: " + shown));
    QVERIFY2(!shown.contains("will refuse"), qPrintable(shown));
    // The default folder: <studio home>/models/<file stem>, where the base model picker looks.
    const QString folder = QDir(home()).filePath("models/tiny-gguf");
    QCOMPARE(d.outputEdit()->text(), folder);
    QVERIFY(d.importButton()->isEnabled());
    QVERIFY(d.selectDtype("f32"));
    QVERIFY(!d.selectDtype("q4_0"));
    QVERIFY(!d.progressBar()->isTextVisible());  // no "0 / 1" before the import has counted its tensors

    QTest::mouseClick(d.importButton(), Qt::LeftButton);
    QVERIFY(d.isRunning());
    QVERIFY(!d.importButton()->isEnabled());
    QVERIFY(d.cancelButton()->isEnabled());
    QVERIFY(!d.fileEdit()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!d.isRunning(), 60000);
    QCOMPARE(d.outcome(), QString("imported"));
    QCOMPARE(d.importedFolder(), folder);
    QCOMPARE(d.progressBar()->maximum(), 20);
    QCOMPARE(d.progressBar()->value(), 20);
    QVERIFY(d.progressBar()->isTextVisible());
    const QString result = d.resultView()->toPlainText();
    for (const QString& part : {QString("Imported"), folder, QString("LlamaForCausalLM"), QString("20 tensors, f32 weights"), QString("bpe"),
                                QString(" s"), QString("tokenizer.json")})
      QVERIFY2(result.contains(part), qPrintable(part + " not in: " + result));
    for (const char* file : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"})
      QVERIFY2(QFile::exists(folder + "/" + file), file);
    QVERIFY(d.useAsBaseButton()->isEnabled());
    QVERIFY(hiddenSiblings(folder).isEmpty());
    // The picker beside the base model field lists it.
    ModelPickerButton picker;
    QVERIFY2(picker.entries().filter("tiny-gguf").size() == 1, qPrintable(picker.entries().join("\n")));
    screenshot(d, "import-gguf.png");
  }

  void useAsBaseModelFillsTheTrainingPanel() {
    MainWindow w;
    w.show();
    auto* action = w.findChild<QAction*>("importGgufAction");
    QVERIFY(action);
    action->trigger();
    auto* d = w.findChild<ImportGgufDialog*>();
    QVERIFY(d);
    QTRY_VERIFY(d->isVisible());
    d->setGgufFile(tiny_);
    const QString folder = dir_.filePath("used-as-base");
    d->setOutputFolder(folder);
    QCOMPARE(d->outputEdit()->text(), folder);
    d->setGgufFile(tiny_);  // a folder the user chose stays when the file is read again
    QCOMPARE(d->outputEdit()->text(), folder);
    QTest::mouseClick(d->importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!d->isRunning(), 60000);
    QCOMPARE(d->outcome(), QString("imported"));
    QVERIFY(QFile::exists(folder + "/model.safetensors"));
    auto* base = w.trainingPanel()->findChild<QLineEdit*>("baseModel");
    QVERIFY(base);
    QVERIFY(base->text() != folder);
    QTest::mouseClick(d->useAsBaseButton(), Qt::LeftButton);
    QCOMPARE(base->text(), folder);
    QVERIFY(d->stageLabel()->text().contains(folder));
    d->close();
  }

  void aFileThatIsNotGgufShowsTheReadersMessage() {
    const QString bad = dir_.filePath("not-a-model.gguf");
    fts::writeFileAtomically(bad.toStdString(), std::string("this is a text file, not a GGUF model\n"));
    ImportGgufDialog d(home());
    d.show();
    d.setGgufFile(bad);
    QCOMPARE(d.outcome(), QString("failed"));
    QVERIFY(!d.importButton()->isEnabled());
    const QString shown = d.resultView()->toPlainText();
    QVERIFY2(shown.contains("Not a usable GGUF file") && shown.contains(bad), qPrintable(shown));
    QVERIFY2(d.metadataView()->text().contains("cannot be read as GGUF"), qPrintable(d.metadataView()->text()));
    // A good file afterwards clears the error.
    d.setGgufFile(tiny_);
    QCOMPARE(d.outcome(), QString());
    QVERIFY(d.resultView()->toPlainText().isEmpty());
    QVERIFY(d.importButton()->isEnabled());
  }

  void anArchitectureTheImporterRefusesShowsItsMessage() {
    const QString qwen = dir_.filePath("qwen-like.gguf");
    writeTinyGguf(qwen, {}, "qwen2");
    ImportGgufDialog d(home());
    d.show();
    d.setGgufFile(qwen);
    // The header still shows what the file is, with the refusal to come.
    const QString shown = d.metadataView()->text();
    QVERIFY2(shown.contains("qwen2") && shown.contains("Q8_0 × 15") && shown.contains("will refuse"), qPrintable(shown));
    const QString folder = dir_.filePath("qwen-out");
    d.setOutputFolder(folder);
    QTest::mouseClick(d.importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!d.isRunning(), 60000);
    QCOMPARE(d.outcome(), QString("failed"));
    const QString result = d.resultView()->toPlainText();
    QVERIFY2(result.contains("Import failed") && result.contains("'qwen2'") && result.contains("qwen-like.gguf"), qPrintable(result));
    QVERIFY(!d.useAsBaseButton()->isEnabled());
    QVERIFY(!QFileInfo::exists(folder));
    QVERIFY(hiddenSiblings(folder).isEmpty());
  }

  void cancelLeavesNoFolder() {
    // Enough tensors that the worker is still parsing or decoding when Cancel is clicked.
    const QString big = dir_.filePath("deeper.gguf");
    TinyShape s;
    s.layers = 24;
    s.hidden = 256;
    s.heads = 8;
    s.ffn = 512;
    writeTinyGguf(big, s);
    ImportGgufDialog d(home());
    d.show();
    d.setGgufFile(big);
    const QString folder = dir_.filePath("cancelled-out");
    d.setOutputFolder(folder);
    d.startImport();
    QVERIFY(d.isRunning());
    QTest::mouseClick(d.cancelButton(), Qt::LeftButton);
    QVERIFY(!d.cancelButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!d.isRunning(), 60000);
    QCOMPARE(d.outcome(), QString("cancelled"));
    QVERIFY2(d.resultView()->toPlainText().contains("Nothing was written under " + folder), qPrintable(d.resultView()->toPlainText()));
    QVERIFY(!QFileInfo::exists(folder));
    QVERIFY(hiddenSiblings(folder).isEmpty());
    QVERIFY(d.importButton()->isEnabled());  // it can be imported after all
  }
};

QTEST_MAIN(TestImportGgufDialog)
#include "test_import_gguf_dialog.moc"
