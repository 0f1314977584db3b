// The model folders the studio finds and how it describes them without loading weights
// (core/io/ModelCatalog), and `ftstudio models` / `ftstudio train --model` on them.
#include "core/io/ModelCatalog.h"
#include "core/io/SafetensorsWriter.h"
#include "core/util/AtomicFile.h"
#include "tests/common/FtstudioProcess.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <vector>

namespace fs = std::filesystem;

namespace {

// A folder with config.json and a safetensors file of two tensors ([4,3] and [5]: 17 parameters).
void writeModelFolder(const fs::path& folder, const std::string& configJson) {
  fs::create_directories(folder);
  fts::writeFileAtomically(folder / "config.json", configJson);
  static const std::vector<float> values(17, 0.5f);
  const auto* bytes = reinterpret_cast<const std::byte*>(values.data());
  std::vector<fts::TensorView> tensors = {
      {"a.weight", fts::SafetensorsDtype::F32, {4, 3}, std::span<const std::byte>(bytes, 12 * sizeof(float))},
      {"b.bias", fts::SafetensorsDtype::F32, {5}, std::span<const std::byte>(bytes + 12 * sizeof(float), 5 * sizeof(float))},
  };
  fts::writeSafetensors(folder / "model.safetensors", tensors);
}

const char* kLlamaConfig = R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8, "num_hidden_layers": 2})";
const char* kBertConfig = R"({"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12})";

}  // namespace

class TestModelCatalog : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path root() const { return fs::path(dir_.path().toStdString()); }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    writeModelFolder(root() / "zoo" / "tiny-llama", kLlamaConfig);
    fts::writeFileAtomically(root() / "zoo" / "tiny-llama" / "tokenizer.model", "not read by the catalog");
    writeModelFolder(root() / "zoo" / "mini-bert", kBertConfig);
    fts::writeFileAtomically(root() / "zoo" / "mini-bert" / "tokenizer.json", R"({"model": {"type": "WordPiece", "vocab": {}}})");
    // Two levels down, named "model": listed by its parent's name.
    writeModelFolder(root() / "zoo" / "project" / "model", kLlamaConfig);
    fts::writeFileAtomically(root() / "zoo" / "project" / "model" / "tokenizer.json", R"({"model": {"type": "Unigram"}})");
    // Not model folders: no weights; weights but no config.
    fs::create_directories(root() / "zoo" / "empty");
    fts::writeFileAtomically(root() / "zoo" / "empty" / "config.json", kLlamaConfig);
  }

  void describesWithoutLoading() {
    const auto info = fts::describeModelFolder(root() / "zoo" / "mini-bert");
    QCOMPARE(info.architecture, std::string("BertModel"));
    QCOMPARE(info.modelType, std::string("bert"));
    QCOMPARE(info.parameters, int64_t{17});
    QCOMPARE(info.tokenizerKind, std::string("wordpiece"));
    QCOMPARE(info.hiddenSize, 384);
    QCOMPARE(info.layers, 6);
    QCOMPARE(info.heads, 12);  // what the Run settings' greyed shape fields show for this base
    const auto shapeOnly = fts::describeModelFolder(root() / "zoo" / "mini-bert", /*countParameters=*/false);
    QCOMPARE(shapeOnly.parameters, int64_t{0});  // no weight file opened
    QCOMPARE(shapeOnly.hiddenSize, 384);
    QCOMPARE(shapeOnly.heads, 12);
    QVERIFY(info.trainable);  // as a classifier
    QVERIFY(info.note.find("classification") != std::string::npos);
    const auto llama = fts::describeModelFolder(root() / "zoo" / "tiny-llama");
    QCOMPARE(llama.tokenizerKind, std::string("sentencepiece"));
    QVERIFY(llama.trainable);
    try {
      fts::describeModelFolder(root() / "zoo" / "empty");
      QFAIL("a folder without weights was described");
    } catch (const std::runtime_error& e) {
      QVERIFY(std::string(e.what()).find("is not a model folder") != std::string::npos);
    }
  }

  void findsEachFolderOnce() {
    // The same root twice and a folder inside it: each model listed once, sorted by name.
    const auto found = fts::findModelFolders({root() / "zoo", root() / "zoo", root() / "zoo" / "tiny-llama"});
    QCOMPARE(found.size(), size_t{3});
    QCOMPARE(found[0].name, std::string("mini-bert"));
    QCOMPARE(found[1].name, std::string("project"));
    QCOMPARE(found[1].tokenizerKind, std::string("unsupported: Unigram"));
    QVERIFY(!found[1].trainable);
    QCOMPARE(found[2].name, std::string("tiny-llama"));
  }

  void searchRootsIncludeTheEnvironmentAndTheShippedModel() {
    qputenv("FTSTUDIO_MODELS", QByteArray::fromStdString((root() / "zoo").string() + ":/no/such/folder"));
    const auto roots = fts::modelSearchRoots(root() / "home");
    qunsetenv("FTSTUDIO_MODELS");
    QVERIFY(!roots.empty());
    QCOMPARE(roots.front(), fs::weakly_canonical(root() / "zoo"));
    for (const auto& r : roots) QVERIFY(fs::is_directory(r));  // missing folders are left out
  }

  void cliListsModels() {
    const auto r = fts::test::ftstudio({"models", QString::fromStdString((root() / "zoo").string()), "--json"});
    QCOMPARE(r.code, 0);
    const QJsonArray list = QJsonDocument::fromJson(r.out.trimmed()).array();
    QCOMPARE(list.size(), 3);
    QCOMPARE(list[0].toObject()["architecture"].toString(), QString("BertModel"));
    QCOMPARE(list[0].toObject()["parameters"].toInteger(), 17);
    QCOMPARE(list[0].toObject()["tokenizer"].toString(), QString("wordpiece"));
    // A folder named directly that is no model: exit 2 with the reason.
    const auto bad = fts::test::ftstudio({"models", QString::fromStdString((root() / "zoo" / "empty").string())});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("is not a model folder"), bad.err.constData());
  }

  void cliFindsTheShippedBaseModel() {
    // Run from the source tree: its projects/base-model/model is found beside build/bin.
    const auto r = fts::test::ftstudio({"models", "--json"});
    QCOMPARE(r.code, 0);
    bool shipped = false;
    for (const auto& v : QJsonDocument::fromJson(r.out.trimmed()).array())
      if (v.toObject()["path"].toString().endsWith("projects/base-model/model")) {
        shipped = true;
        QCOMPARE(v.toObject()["tokenizer"].toString(), QString("sentencepiece"));
        QVERIFY(v.toObject()["trainable"].toBool());
      }
    QVERIFY2(shipped, r.out.constData());
  }

  void trainRefusesAModelThatIsNoFolder() {
    const auto r = fts::test::ftstudio({"train", "--data", FTS_FIXTURES "/topics_small.csv", "--model",
                                        QString::fromStdString((root() / "zoo" / "empty").string())});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("model.safetensors"), r.err.constData());
  }
};

QTEST_GUILESS_MAIN(TestModelCatalog)
#include "test_model_catalog.moc"
