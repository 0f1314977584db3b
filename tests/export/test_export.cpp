// The exporter end to end on tiny model folders: what each format writes, that it reads back to the
// same logits (the verification figures), sharding, the model card, the reference logits file,
// atomicity (a failure or cancel at any stage leaves nothing under the final name), and refusals.
#include "ExportFixtures.h"

#include "core/export/Exporter.h"
#include "core/export/GgufReader.h"
#include "core/export/HfExport.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/TorchTensors.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <fstream>
#include <QtTest>

using namespace fts;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> namesIn(const fs::path& folder) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(folder)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

nlohmann::json readJson(const fs::path& p) { return nlohmann::json::parse(readWholeFile(p)); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

class TestExport : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::unique_ptr<SentencePieceTokenizer> tok_;

  fs::path path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }

 private slots:
  void initTestCase() {
    tok_ = std::make_unique<SentencePieceTokenizer>(exportfx::trainTokenizer(path("tokenizer.model")));
    exportfx::makeModelFolder(path("lm"), *tok_, false);
    exportfx::makeModelFolder(path("cls"), *tok_, true);
  }

  void hfCausalLmFolderRoundTrips() {
    ExportOptions o;
    o.out = path("out/hf-lm");
    o.card.runId = "20260101-abc";
    o.card.method = "full";
    o.card.datasetFingerprint = "sha256:0123abcd";
    o.card.metrics = {{"val_loss", 1.25}, {"perplexity", 3.49}};
    o.referenceLogitsFile = path("out/hf-lm-logits.safetensors");
    std::vector<std::string> stages;
    o.progress = [&](const std::string& s) { stages.push_back(s); };
    const ExportResult r = exportModel(path("lm"), o);
    QCOMPARE(stages, (std::vector<std::string>{"loading", "writing", "verifying", "finishing"}));

    const std::vector<std::string> expected = {"README.md", "config.json", "ftstudio_export.json", "generation_config.json",
                                               "model.safetensors", "special_tokens_map.json", "tokenizer.model", "tokenizer_config.json"};
    QCOMPARE(namesIn(o.out), expected);
    QCOMPARE(r.files, expected);
    QCOMPARE(r.task, std::string("lm"));

    // What transformers reads.
    const auto config = readJson(o.out / "config.json");
    QCOMPARE(config["architectures"][0].get<std::string>(), std::string("LlamaForCausalLM"));
    QCOMPARE(config["torch_dtype"].get<std::string>(), std::string("float32"));
    const auto gen = readJson(o.out / "generation_config.json");
    QCOMPARE(gen["eos_token_id"].get<int>(), 2);
    QCOMPARE(gen["bos_token_id"].get<int>(), 1);
    const auto tc = readJson(o.out / "tokenizer_config.json");
    // A unigram tokenizer.model: transformers 5 would read "LlamaTokenizer" as BPE (see HfExport.cpp).
    QCOMPARE(tc["tokenizer_class"].get<std::string>(), std::string("PreTrainedTokenizerFast"));
    QCOMPARE(tc["legacy"].get<bool>(), true);
    QCOMPARE(tc["bos_token"].get<std::string>(), std::string("<s>"));
    QCOMPARE(tc["eos_token"].get<std::string>(), std::string("</s>"));
    QCOMPARE(tc["pad_token"].get<std::string>(), tok_->piece(3));
    QCOMPARE(tc["add_bos_token"].get<bool>(), true);
    QCOMPARE(tc["add_eos_token"].get<bool>(), false);  // prompts for generation do not end
    QCOMPARE(tc["model_max_length"].get<int>(), 64);
    const auto st = readJson(o.out / "special_tokens_map.json");
    QCOMPARE(st["unk_token"].get<std::string>(), std::string("<unk>"));
    QCOMPARE(readWholeFile(o.out / "tokenizer.model"), tok_->serialized());

    // Verified: float32 weights read back give exactly the same logits.
    const auto& v = r.verification;
    QVERIFY(v.passed);
    QCOMPARE(v.samples, 4);
    QVERIFY(v.positions > 20);
    QCOMPARE(v.maxAbsDiff, 0.0);
    QCOMPARE(v.argmaxAgreement, 1.0);
    QVERIFY(v.maxAbsLogit > 1.0);
    QVERIFY(contains(v.tokenizerCheck, "identical"));
    qInfo("hf f32 causal LM: max abs diff %g over %lld rows", v.maxAbsDiff, static_cast<long long>(v.positions));

    // The manifest says the same, for the GUI and for later exports into this folder.
    const auto m = readJson(o.out / "ftstudio_export.json");
    QCOMPARE(m["format"].get<std::string>(), std::string("hf"));
    QCOMPARE(m["verification"]["max_abs_diff"].get<double>(), 0.0);
    QCOMPARE(m["verification"]["passed"].get<bool>(), true);
    QCOMPARE(m["run"].get<std::string>(), std::string("20260101-abc"));

    // Model card: provenance, method, metrics, verification, how to load.
    const std::string card = readWholeFile(o.out / "README.md");
    QVERIFY(card.rfind("---\nlibrary_name: transformers\npipeline_tag: text-generation\n", 0) == 0);
    for (const char* part : {"20260101-abc", "sha256:0123abcd", "| method | full |", "trained from scratch", "| val_loss | 1.25 |",
                             "| perplexity | 3.49 |", "max abs logit difference | 0 |", "| result | passed |", "AutoModelForCausalLM", "AutoTokenizer",
                             "\"num_key_value_heads\": 2", "`model.safetensors`", "No training configuration"})
      QVERIFY2(contains(card, part), part);
    QVERIFY(!contains(card, "## Robustness"));  // no report, no section

    // The reference logits for outside tools: ids as training builds them, logits of the model in memory.
    SafetensorsReader ref(o.referenceLogitsFile);
    QCOMPARE(ref.metadata().at("task"), std::string("lm"));
    QCOMPARE(ref.metadata().at("samples"), std::string("4"));
    const auto texts = nlohmann::json::parse(ref.metadata().at("texts"));
    QCOMPARE(texts.size(), size_t(4));
    auto ids = tensorFromView(ref.view("ids.0"));
    auto logits = tensorFromView(ref.view("logits.0"));
    QCOMPARE(ids[0].item<int64_t>(), int64_t(1));  // BOS
    QCOMPARE(ids.size(0) - 1, static_cast<int64_t>(tok_->encode(texts[0].get<std::string>()).size()));
    QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{ids.size(0), tok_->vocabSize() + 5}));
    auto model = LlamaForTask(loadHfConfig(o.out), HeadKind::CausalLM);
    loadHfWeights(model, findHfModelFiles(o.out));
    std::vector<int64_t> row(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
    QVERIFY(torch::equal(exportfx::logits(model, row), logits));
  }

  void hfClassifierCarriesLabelsAndEos() {
    ExportOptions o;
    o.out = path("out/hf-cls");
    o.dtype = ExportDtype::BF16;
    o.card.task = "cls";
    o.card.robustnessJson = R"({"attack": "synonym substitution", "accuracy_under_attack": 0.61, "attack_success_rate": 0.27})";
    const ExportResult r = exportModel(path("cls"), o);
    QVERIFY(!fs::exists(o.out / "generation_config.json"));  // nothing generates from a classifier
    const auto config = readJson(o.out / "config.json");
    QCOMPARE(config["architectures"][0].get<std::string>(), std::string("LlamaForSequenceClassification"));
    QCOMPARE(config["id2label"]["2"].get<std::string>(), std::string("positive"));
    QCOMPARE(config["label2id"]["neutral"].get<int>(), 1);
    QCOMPARE(config["num_labels"].get<int>(), 3);
    QCOMPARE(config["torch_dtype"].get<std::string>(), std::string("bfloat16"));
    QCOMPARE(readJson(o.out / "tokenizer_config.json")["add_eos_token"].get<bool>(), true);  // pooled token is EOS
    SafetensorsReader w(o.out / "model.safetensors");
    QCOMPARE(w.find("score.weight")->dtype, SafetensorsDtype::BF16);
    QCOMPARE(w.find("score.weight")->shape, (std::vector<int64_t>{3, 64}));

    const auto& v = r.verification;
    QVERIFY(v.passed);
    QCOMPARE(v.positions, int64_t(4));  // one row of class logits per sample
    QVERIFY(v.maxAbsDiff > 0);          // bf16 rounds
    qInfo("hf bf16 classifier: max abs diff %g (largest logit %g), argmax agreement %g", v.maxAbsDiff, v.maxAbsLogit, v.argmaxAgreement);

    const std::string card = readWholeFile(o.out / "README.md");
    for (const char* part : {"pipeline_tag: text-classification", "0: negative, 1: neutral, 2: positive", "## Robustness",
                             "| accuracy_under_attack | 0.61 |", "| attack | synonym substitution |", "AutoModelForSequenceClassification",
                             "add_eos_token"})
      QVERIFY2(contains(card, part), part);
  }

  void hfShardsAboveTheChosenSize() {
    ExportOptions o;
    o.out = path("out/hf-sharded");
    o.maxShardBytes = 40000;  // the embeddings alone are ~78 KB: several shards
    const ExportResult r = exportModel(path("lm"), o);
    QVERIFY(!fs::exists(o.out / "model.safetensors"));
    QVERIFY(fs::exists(o.out / "model.safetensors.index.json"));
    const auto index = readJson(o.out / "model.safetensors.index.json");
    std::set<std::string> shards;
    for (const auto& [name, file] : index["weight_map"].items()) shards.insert(file.get<std::string>());
    QVERIFY2(shards.size() >= 3, qPrintable(QString::number(shards.size())));
    for (const auto& s : shards) {
      QVERIFY(fs::exists(o.out / s));
      QVERIFY(std::find(r.files.begin(), r.files.end(), s) != r.files.end());
    }
    QVERIFY(r.verification.passed);
    QCOMPARE(r.verification.maxAbsDiff, 0.0);
  }

  void ggufEveryDtypeVerifies_data() {
    QTest::addColumn<int>("dtype");
    QTest::newRow("f32") << static_cast<int>(ExportDtype::F32);
    QTest::newRow("f16") << static_cast<int>(ExportDtype::F16);
    QTest::newRow("bf16") << static_cast<int>(ExportDtype::BF16);
    QTest::newRow("q8_0") << static_cast<int>(ExportDtype::Q8_0);
  }

  void ggufEveryDtypeVerifies() {
    QFETCH(int, dtype);
    ExportOptions o;
    o.format = ExportFormat::Gguf;
    o.dtype = static_cast<ExportDtype>(dtype);
    const std::string name = std::string(exportDtypeName(o.dtype));
    o.out = path("out/gguf-" + name);
    const ExportResult r = exportModel(path("lm"), o);
    QCOMPARE(namesIn(o.out), (std::vector<std::string>{"README.md", "ftstudio_export.json", "model-" + name + ".gguf"}));
    GgufReader g(o.out / ("model-" + name + ".gguf"));
    QCOMPARE(g.at("general.architecture").asString(), std::string("llama"));
    QCOMPARE(g.at("general.name").asString(), std::string("lm"));
    const auto& v = r.verification;
    QVERIFY(v.passed);
    QVERIFY(contains(v.tokenizerCheck, "scores and token types equal"));
    if (o.dtype == ExportDtype::F32) QVERIFY2(v.maxAbsDiff < 1e-4, qPrintable(QString::number(v.maxAbsDiff)));
    else QVERIFY(v.maxAbsDiff > 0);
    qInfo("gguf %s: max abs diff %.3g (largest logit %.3g, accepted %.3g), argmax agreement %.4f over %lld rows", name.c_str(),
          v.maxAbsDiff, v.maxAbsLogit, v.tolerance, v.argmaxAgreement, static_cast<long long>(v.positions));
    const std::string card = readWholeFile(o.out / "README.md");
    QVERIFY(contains(card, "library_name: gguf"));
    QVERIFY(contains(card, "our GGUF reader"));
  }

  void aFailureMidwayLeavesNothingUnderTheFinalName() {
    const fs::path parent = path("atomic");
    fs::create_directories(parent);
    for (const char* failAt : {"writing", "verifying", "finishing"}) {
      ExportOptions o;
      o.out = parent / "export";
      o.progress = [&](const std::string& s) {
        if (s == failAt) throw std::runtime_error(std::string("injected failure at ") + failAt);
      };
      QVERIFY_THROWS_EXCEPTION(std::runtime_error, exportModel(path("lm"), o));
      QVERIFY2(namesIn(parent).empty(), failAt);  // no final folder, and no staging folder left beside it
    }
    // Cancel between stages: same.
    std::atomic<bool> cancel{false};
    ExportOptions o;
    o.out = parent / "export";
    o.format = ExportFormat::Gguf;
    o.cancel = &cancel;
    o.progress = [&](const std::string& s) {
      if (s == "verifying") cancel = true;
    };
    QVERIFY_THROWS_EXCEPTION(ExportCancelled, exportModel(path("lm"), o));
    QVERIFY(namesIn(parent).empty());

    // An earlier export survives a failed re-export whole, and a good one replaces it whole.
    ExportOptions first;
    first.out = parent / "export";
    exportModel(path("lm"), first);
    const std::string before = readWholeFile(parent / "export" / "ftstudio_export.json");
    ExportOptions failing = first;
    failing.format = ExportFormat::Gguf;
    failing.progress = [](const std::string& s) {
      if (s == "finishing") throw std::runtime_error("injected");
    };
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, exportModel(path("lm"), failing));
    QCOMPARE(readWholeFile(parent / "export" / "ftstudio_export.json"), before);
    QVERIFY(fs::exists(parent / "export" / "model.safetensors"));
    QCOMPARE(namesIn(parent), std::vector<std::string>{"export"});
    failing.progress = nullptr;
    exportModel(path("lm"), failing);
    QVERIFY(!fs::exists(parent / "export" / "model.safetensors"));  // replaced whole, not merged
    QVERIFY(fs::exists(parent / "export" / "model-f32.gguf"));
    QCOMPARE(namesIn(parent), std::vector<std::string>{"export"});
  }

  void verificationCatchesACorruptFile() {
    // Damage the written GGUF between writing and verifying (the last rows of output.weight): the
    // reloaded logits differ, the export fails with the figures, and nothing reaches the final name.
    const fs::path parent = path("corrupt");
    fs::create_directories(parent);
    ExportOptions o;
    o.format = ExportFormat::Gguf;
    o.out = parent / "export";
    o.progress = [&](const std::string& s) {
      if (s != "verifying") return;
      for (const auto& e : fs::recursive_directory_iterator(parent))
        if (e.path().extension() == ".gguf") {
          const auto size = fs::file_size(e.path());
          std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
          f.seekp(static_cast<std::streamoff>(size - 2048));
          const std::string junk(1024, '\x40');  // float32 patterns around 3.0
          f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
        }
    };
    try {
      exportModel(path("lm"), o);
      QFAIL("a corrupt export passed verification");
    } catch (const ExportVerificationError& e) {
      QVERIFY(!e.verification.passed);
      QVERIFY(e.verification.maxAbsDiff > e.verification.tolerance);
      QVERIFY2(contains(e.what(), "does not match the model"), e.what());
      qInfo("corrupted gguf: %s", e.what());
    }
    QVERIFY(namesIn(parent).empty());
  }

  void refusesWithReasons() {
    auto message = [&](const fs::path& source, ExportOptions o) -> std::string {
      try {
        exportModel(source, o);
      } catch (const std::exception& e) {
        return e.what();
      }
      return "(no error)";
    };
    ExportOptions o;
    o.out = path("out/refused");
    o.format = ExportFormat::Peft;
    QVERIFY(contains(message(path("lm"), o), "needs a LoRA run"));
    o.format = ExportFormat::Merged;
    QVERIFY(contains(message(path("lm"), o), "needs a LoRA run"));
    o.format = ExportFormat::Gguf;
    QVERIFY(contains(message(path("cls"), o), "llama.cpp has no sequence-classification head"));
    o.format = ExportFormat::HuggingFace;
    o.dtype = ExportDtype::Q8_0;
    QVERIFY(contains(message(path("lm"), o), "use --format gguf --dtype q8_0"));
    QVERIFY(!fs::exists(path("out/refused")));

    // A folder of the user's is never swapped away.
    fs::create_directories(path("mine"));
    writeFileAtomically(path("mine") / "notes.txt", "keep me");
    o = ExportOptions{};
    o.out = path("mine");
    QVERIFY(contains(message(path("lm"), o), "not an earlier export"));
    QCOMPARE(readWholeFile(path("mine") / "notes.txt"), std::string("keep me"));
  }

  void tokenizerClassFollowsTheSentencePieceModelType() {
    QCOMPARE(sentencePieceModelType(tok_->serialized()), 1);  // unigram, the studio's default
    std::vector<std::string> sentences;
    for (int i = 0; i < 200; ++i) sentences.push_back("the quick brown fox number " + std::to_string(i) + " jumps over the lazy dog");
    TokenizerTrainOptions o;
    o.vocabSize = 300;
    o.modelType = "bpe";
    o.hardVocabLimit = false;
    const auto bpe = SentencePieceTokenizer::train(sentences, o, path("bpe.model"));
    QCOMPARE(sentencePieceModelType(bpe.serialized()), 2);
    const auto c = exportfx::config(bpe.vocabSize());
    QCOMPARE(nlohmann::json::parse(hfTokenizerConfigJson(c, bpe, false))["tokenizer_class"].get<std::string>(), std::string("LlamaTokenizer"));
    QCOMPARE(sentencePieceModelType("not a model at all"), 1);  // garbage: the default, no crash
  }

  void byteSizes() {
    QCOMPARE(parseByteSize("5GB"), uint64_t(5000000000));
    QCOMPARE(parseByteSize("500MB"), uint64_t(500000000));
    QCOMPARE(parseByteSize("2GiB"), uint64_t(2147483648));
    QCOMPARE(parseByteSize("64 KiB"), uint64_t(65536));
    QCOMPARE(parseByteSize("1000"), uint64_t(1000));
    QCOMPARE(parseByteSize("1.5gb"), uint64_t(1500000000));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseByteSize("lots"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseByteSize("5 parsecs"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseByteSize("0"));
  }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
