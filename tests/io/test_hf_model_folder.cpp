// Hugging Face model folders: save -> load gives the same model (exactly, in F32; one file or shards),
// torch conversion of every floating dtype, and each way a folder can be wrong gives a message naming
// the tensor or file and what to do.
#include "TinyLlama.h"

#include "core/io/HfModelFolder.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/SafetensorsWriter.h"
#include "core/io/TorchTensors.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

namespace fs = std::filesystem;

namespace {

fts::LlamaForTask makeModel(const fts::LlamaConfig& c, fts::HeadKind kind, uint64_t seed) {
  fts::LlamaForTask m(c, kind);
  tiny::randomize(*m, seed);
  m->eval();
  return m;
}

// Logits of a fixed batch: [B,T,V] for a causal LM, [B,C] for a classifier.
torch::Tensor logitsOf(fts::LlamaForTask& m) {
  torch::NoGradGuard noGrad;
  const auto& c = m->model->config;
  auto ids = tiny::paddedIds({7, 4, 1}, 7, c.pad_token_id, c.vocab_size);
  auto hidden = m->model->forwardEmbeds(m->model->embed(ids));
  if (m->kind == fts::HeadKind::CausalLM) return m->lmLogits(hidden);
  return m->classLogits(hidden, torch::tensor({7, 4, 1}, torch::kInt64));
}

template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_ERROR(call, ...)                                                             \
  do {                                                                                      \
    const std::string message_ = errorOf([&] { call; });                                    \
    for (const std::string& needle_ : std::vector<std::string>{__VA_ARGS__})                                      \
      QVERIFY2(message_.find(needle_) != std::string::npos, (needle_ + " not in: " + message_).c_str()); \
  } while (0)

fts::LlamaForTask loadFolder(const fs::path& folder, fts::HeadKind kind, fts::HfLoadReport* report = nullptr,
                             const fts::HfLoadOptions& options = {}) {
  auto config = fts::loadHfConfig(folder);
  fts::LlamaForTask m(config, kind);
  auto r = fts::loadHfWeights(m, fts::findHfModelFiles(folder), options);
  if (report) *report = r;
  m->eval();
  return m;
}

// Rewrites a folder's model.safetensors through `edit`, which may drop or add views.
void rewriteWeights(const fs::path& folder, const std::function<void(std::vector<fts::TensorView>&)>& edit) {
  const fs::path file = folder / "model.safetensors";
  std::vector<std::byte> copy;
  std::vector<fts::TensorView> views;
  std::map<std::string, std::string> meta;
  {
    fts::SafetensorsReader r(file);
    meta = r.metadata();
    // Copy the bytes out so the file can be replaced while the views are used.
    size_t total = 0;
    for (const auto& e : r.entries()) total += e.byteSize();
    copy.resize(total);
    size_t at = 0;
    for (const auto& e : r.entries()) {
      auto v = r.view(e);
      std::copy(v.bytes.begin(), v.bytes.end(), copy.begin() + at);
      v.bytes = std::span<const std::byte>(copy.data() + at, v.bytes.size());
      at += v.bytes.size();
      views.push_back(v);
    }
  }
  edit(views);
  fts::writeSafetensors(file, views, meta);
}

}  // namespace

class TestHfModelFolder : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path tokenizerFile_;

  fs::path path(const char* name) { return fs::path(dir_.path().toStdString()) / name; }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    // A small SentencePiece model (fewer pieces than the tiny vocab_size of 64), shared by the tests.
    std::vector<std::string> text;
    for (int i = 0; i < 50; ++i) text.push_back("a tiny corpus for a tiny tokenizer, line " + std::to_string(i));
    fts::TokenizerTrainOptions opt;
    opt.vocabSize = 48;
    opt.byteFallback = false;
    opt.threads = 1;
    tokenizerFile_ = path("tokenizer.model");
    auto tok = fts::SentencePieceTokenizer::train(text, opt, tokenizerFile_);
    QVERIFY(tok.vocabSize() <= 64);
  }

  void floatDtypesConvertToAndFromTorch() {
    auto x = torch::randn({3, 5});
    for (auto dtype : {fts::SafetensorsDtype::F32, fts::SafetensorsDtype::BF16, fts::SafetensorsDtype::F16,
                       fts::SafetensorsDtype::F64}) {
      auto w = fts::prepareForWrite("x", x, dtype);
      QCOMPARE(w.view.dtype, dtype);
      const std::string bytes = fts::serializeSafetensors({w.view});
      const fs::path file = path("convert.safetensors");
      fts::writeFileAtomically(file, bytes);
      fts::SafetensorsReader r(file);
      auto back = fts::tensorFromView(r.view("x"));
      QCOMPARE(back.scalar_type(), fts::torchDtypeOf(dtype));
      QVERIFY(torch::equal(back, x.to(fts::torchDtypeOf(dtype))));  // bytes exact in the stored dtype
      auto f = fts::floatTensorFromView(r.view("x"));
      QCOMPARE(f.scalar_type(), torch::kFloat32);
      QVERIFY(torch::equal(f, x.to(fts::torchDtypeOf(dtype)).to(torch::kFloat32)));
    }
    // Integer tensors keep their type; a non-contiguous view is written in logical (row-major) order.
    auto ints = torch::arange(12, torch::kInt64).view({3, 4}).t();
    auto w = fts::prepareForWrite("i", ints, fts::SafetensorsDtype::BF16);
    QCOMPARE(w.view.dtype, fts::SafetensorsDtype::I64);
    QVERIFY(torch::equal(fts::tensorFromView(w.view), ints));
    EXPECT_ERROR(fts::floatTensorFromView(w.view), "tensor 'i' is I64, not a floating type");
  }

  void saveThenLoadGivesIdenticalLogits() {
    for (bool tied : {false, true}) {
      auto m = makeModel(tiny::config(tied), fts::HeadKind::CausalLM, 1);
      const fs::path folder = path(tied ? "lm-tied" : "lm");
      auto tok = fts::SentencePieceTokenizer::load(tokenizerFile_);
      fts::saveHfModelFolder(folder, m, &tok);
      QVERIFY(fs::exists(folder / "config.json"));
      QVERIFY(fs::exists(folder / "tokenizer.model"));
      QCOMPARE(fs::exists(folder / "model.safetensors.index.json"), false);
      fts::SafetensorsReader r(folder / "model.safetensors");
      QCOMPARE(r.metadata().at("format"), std::string("pt"));
      QCOMPARE(r.contains("lm_head.weight"), !tied);  // tied: HF writes only the embeddings

      fts::HfLoadReport report;
      auto back = loadFolder(folder, fts::HeadKind::CausalLM, &report);
      QVERIFY(torch::equal(logitsOf(back), logitsOf(m)));
      QCOMPARE(report.storedDtypes, std::set<std::string>{"F32"});
      QVERIFY(report.unused.empty());
      QCOMPARE(report.tensorsLoaded, static_cast<int64_t>(m->parameters().size()));

      auto cfg = fts::loadHfConfig(folder);
      QCOMPARE(cfg.tie_word_embeddings, tied);
      QCOMPARE(cfg.num_key_value_heads, 2);
      QCOMPARE(cfg.rope_theta, 500000.0);
      auto tok2 = fts::loadHfTokenizer(folder, cfg.vocab_size);
      QCOMPARE(tok2->encode("a tiny corpus"), tok.encode("a tiny corpus"));
    }
    // A classifier keeps its labels and its score head.
    auto cls = makeModel(tiny::config(false, true), fts::HeadKind::SequenceClassification, 2);
    fts::saveHfModelFolder(path("cls"), cls, nullptr);
    auto back = loadFolder(path("cls"), fts::HeadKind::SequenceClassification);
    QCOMPARE(back->model->config.id2label, cls->model->config.id2label);
    QVERIFY(torch::equal(logitsOf(back), logitsOf(cls)));
  }

  void shardedSaveLoads() {
    auto m = makeModel(tiny::config(false), fts::HeadKind::CausalLM, 3);
    const fs::path folder = path("sharded");
    fts::HfSaveOptions opt;
    opt.maxShardBytes = 20000;  // the model is about 60 kB of F32: several shards
    fts::saveHfModelFolder(folder, m, nullptr, opt);
    QVERIFY(!fs::exists(folder / "model.safetensors"));
    const auto index = nlohmann::json::parse(fts::readWholeFile(folder / "model.safetensors.index.json"));
    const auto files = fts::findHfModelFiles(folder);
    QVERIFY(files.weights.size() >= 3);
    uint64_t total = 0;
    for (const auto& w : files.weights) {
      QVERIFY(w.filename().string().find("-of-0000" + std::to_string(files.weights.size())) != std::string::npos);
      fts::SafetensorsReader r(w);
      uint64_t shardBytes = 0;
      for (const auto& e : r.entries()) {
        QCOMPARE(index["weight_map"][e.name].get<std::string>(), w.filename().string());
        shardBytes += e.byteSize();
      }
      QVERIFY(shardBytes <= 20000 || r.entries().size() == 1);
      total += shardBytes;
    }
    QCOMPARE(index["metadata"]["total_size"].get<uint64_t>(), total);
    QCOMPARE(index["weight_map"].size(), m->parameters().size());
    auto back = loadFolder(folder, fts::HeadKind::CausalLM);
    QVERIFY(torch::equal(logitsOf(back), logitsOf(m)));

    // Saving again over it (unsharded now) replaces the folder whole: no stale shards remain.
    fts::saveHfModelFolder(folder, m, nullptr);
    QVERIFY(fs::exists(folder / "model.safetensors"));
    QVERIFY(!fs::exists(folder / "model.safetensors.index.json"));
    QCOMPARE(std::distance(fs::directory_iterator(folder), fs::directory_iterator{}), 2);  // config + weights
    for (const auto& e : fs::directory_iterator(dir_.path().toStdString()))
      QVERIFY2(e.path().filename().string().find(".tmp-") == std::string::npos, e.path().c_str());
  }

  void halfPrecisionSaveLoadsIntoFp32() {
    auto m = makeModel(tiny::config(false), fts::HeadKind::CausalLM, 4);
    fts::HfSaveOptions opt;
    opt.dtype = fts::SafetensorsDtype::BF16;
    fts::saveHfModelFolder(path("bf16"), m, nullptr, opt);
    QCOMPARE(nlohmann::json::parse(fts::readWholeFile(path("bf16") / "config.json"))["torch_dtype"].get<std::string>(),
             std::string("bfloat16"));
    fts::HfLoadReport report;
    auto back = loadFolder(path("bf16"), fts::HeadKind::CausalLM, &report);
    QCOMPARE(report.storedDtypes, std::set<std::string>{"BF16"});
    for (const auto& p : back->named_parameters()) {
      QCOMPARE(p.value().scalar_type(), torch::kFloat32);
      QVERIFY(torch::equal(p.value(), m->named_parameters()[p.key()].to(torch::kBFloat16).to(torch::kFloat32)));
    }
  }

  void missingTensorNamesItAndTheFile() {
    auto m = makeModel(tiny::config(false), fts::HeadKind::CausalLM, 5);
    const fs::path folder = path("missing-tensor");
    fts::saveHfModelFolder(folder, m, nullptr);
    rewriteWeights(folder, [](std::vector<fts::TensorView>& v) {
      std::erase_if(v, [](const fts::TensorView& t) { return t.name == "model.layers.1.mlp.up_proj.weight"; });
    });
    auto before = logitsOf(m);
    EXPECT_ERROR(fts::loadHfWeights(m, fts::findHfModelFiles(folder)),
                 (folder / "model.safetensors").string(), "has no tensor 'model.layers.1.mlp.up_proj.weight'",
                 "shape [64, 32]");
    QVERIFY(torch::equal(logitsOf(m), before));  // a failed load leaves the model untouched
  }

  void wrongShapeNamesTensorAndShapes() {
    auto m = makeModel(tiny::config(false), fts::HeadKind::CausalLM, 6);
    const fs::path folder = path("wrong-shape");
    fts::saveHfModelFolder(folder, m, nullptr);
    auto other = tiny::config(false);
    other.intermediate_size = 48;
    fts::LlamaForTask narrow(other, fts::HeadKind::CausalLM);
    EXPECT_ERROR(fts::loadHfWeights(narrow, fts::findHfModelFiles(folder)), "model.safetensors",
                 "tensor 'model.layers.0.mlp.gate_proj.weight' has shape [64, 32] but config.json implies [48, 32]");
  }

  void unexpectedTensorsAreErrorsUnlessKnown() {
    auto m = makeModel(tiny::config(false), fts::HeadKind::CausalLM, 7);
    const fs::path folder = path("extra");
    fts::saveHfModelFolder(folder, m, nullptr);
    const std::vector<float> bias(32, 0.5f), inv(4, 1.0f);
    rewriteWeights(folder, [&](std::vector<fts::TensorView>& v) {
      v.push_back({"model.layers.0.mlp.gate_proj.bias", fts::SafetensorsDtype::F32, {32}, std::as_bytes(std::span(bias))});
      v.push_back({"model.layers.0.self_attn.rotary_emb.inv_freq", fts::SafetensorsDtype::F32, {4}, std::as_bytes(std::span(inv))});
    });
    EXPECT_ERROR(loadFolder(folder, fts::HeadKind::CausalLM), "model.safetensors",
                 "holds tensors this Llama model has no place for: 'model.layers.0.mlp.gate_proj.bias'");
    fts::HfLoadReport report;
    fts::HfLoadOptions lenient;
    lenient.allowUnexpected = true;
    auto back = loadFolder(folder, fts::HeadKind::CausalLM, &report, lenient);
    QCOMPARE(report.unused, std::vector<std::string>{"model.layers.0.mlp.gate_proj.bias"});  // inv_freq: silent
    QVERIFY(torch::equal(logitsOf(back), logitsOf(m)));
  }

  void causalLmLoadsAsClassifierWithAFreshHead() {
    auto lm = makeModel(tiny::config(false), fts::HeadKind::CausalLM, 8);
    fts::saveHfModelFolder(path("base"), lm, nullptr);
    auto config = fts::loadHfConfig(path("base"));
    config.id2label = {"a", "b"};
    fts::LlamaForTask cls(config, fts::HeadKind::SequenceClassification);
    EXPECT_ERROR(fts::loadHfWeights(cls, fts::findHfModelFiles(path("base"))), "has no tensor 'score.weight'",
                 "load with a fresh head");
    fts::HfLoadOptions opt;
    opt.allowMissingHead = true;
    auto report = fts::loadHfWeights(cls, fts::findHfModelFiles(path("base")), opt);
    QCOMPARE(report.headKeptInitialised, std::vector<std::string>{"score.weight"});
    QCOMPARE(report.unused, std::vector<std::string>{"lm_head.weight"});
    QVERIFY(torch::equal(cls->model->embed_tokens->weight, lm->model->embed_tokens->weight));
  }

  void folderProblemsGiveClearMessages() {
    auto m = makeModel(tiny::config(false), fts::HeadKind::CausalLM, 9);
    const fs::path folder = path("problems");
    fts::saveHfModelFolder(folder, m, nullptr);
    const auto config = fts::loadHfConfig(folder);

    // No tokenizer file at all; then a tokenizer.json that is no tokenizer.
    EXPECT_ERROR(fts::loadHfTokenizer(folder, config.vocab_size), "has no tokenizer.model and no tokenizer.json");
    fts::writeFileAtomically(folder / "tokenizer.json", "{}");
    EXPECT_ERROR(fts::loadHfTokenizer(folder, config.vocab_size), (folder / "tokenizer.json").string());
    fs::remove(folder / "tokenizer.json");
    // A tokenizer with more pieces than the model has embeddings.
    auto small = config;
    small.vocab_size = 16;
    fs::copy_file(tokenizerFile_, folder / "tokenizer.model");
    EXPECT_ERROR(fts::loadHfTokenizer(folder, small.vocab_size), "tokens but config.json's vocab_size is 16");

    // Unsupported architecture.
    const fs::path gpt2 = path("gpt2");
    fs::create_directories(gpt2);
    fts::writeFileAtomically(gpt2 / "config.json", R"({"model_type": "gpt2", "n_embd": 768})");
    EXPECT_ERROR(fts::loadHfConfig(gpt2), "config.json", "model_type 'gpt2' is not supported");

    // Pickled weights only; no config at all.
    fs::remove(gpt2 / "config.json");
    EXPECT_ERROR(fts::findHfModelFiles(gpt2), "has no config.json");
    fts::writeFileAtomically(gpt2 / "config.json", "{}");
    fts::writeFileAtomically(gpt2 / "pytorch_model.bin", "pickle");
    EXPECT_ERROR(fts::findHfModelFiles(gpt2), "pytorch_model.bin", "safe_serialization=True");

    // An index naming a shard outside the folder, or one that is missing.
    fs::remove(gpt2 / "pytorch_model.bin");
    fts::writeFileAtomically(gpt2 / "model.safetensors.index.json", R"({"weight_map": {"a": "../a.safetensors"}})");
    EXPECT_ERROR(fts::findHfModelFiles(gpt2), "model.safetensors.index.json", "not a file name inside the folder");
    fts::writeFileAtomically(gpt2 / "model.safetensors.index.json",
                             R"({"weight_map": {"a": "model-00001-of-00002.safetensors"}})");
    EXPECT_ERROR(fts::findHfModelFiles(gpt2), "names shard 'model-00001-of-00002.safetensors', which is missing");
  }

  void saveRefusesToReplaceAFolderThatIsNotAModel() {
    auto m = makeModel(tiny::config(false), fts::HeadKind::CausalLM, 10);
    const fs::path notes = path("notes");
    fs::create_directories(notes);
    fts::writeFileAtomically(notes / "diary.txt", "precious");
    EXPECT_ERROR(fts::saveHfModelFolder(notes, m, nullptr), "is not a model folder (no config.json)");
    QCOMPARE(fts::readWholeFile(notes / "diary.txt"), std::string("precious"));
  }
};

QTEST_GUILESS_MAIN(TestHfModelFolder)
#include "test_hf_model_folder.moc"
