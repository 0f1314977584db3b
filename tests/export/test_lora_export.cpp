// LoRA runs exported as a PEFT adapter (peft) and as the base with the adapters folded in (merged):
// the exact files, adapter_config.json, PEFT's tensor names and shapes holding the run's trained
// adapters, the verification figures, the model card; the requests that cannot be met, refused with
// their reasons; a base folder changed after training caught by the verification; an unfinished LoRA
// run. Each run is trained here, tiny, on a base model folder made by the export fixtures.
#include "ExportFixtures.h"

#include "core/export/ExportSource.h"
#include "core/export/Exporter.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/TorchTensors.h"
#include "core/train/Trainer.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
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

std::string refusal(const fs::path& source, ExportOptions o) {
  try {
    exportModel(source, o);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

class TestLoraExport : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path base_, loraCls_, loraLm_, fullCls_, scratchLora_;

  fs::path path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }

  // Trains a tiny run into path(name): LoRA (rank 4 on q, v, o) on `base` when rank > 0.
  fs::path train(const std::string& name, const std::string& task, const fs::path& base, int rank) {
    TrainConfig c;
    c.task = task;
    c.data.train = FTS_FIXTURES "/topics_small.csv";
    c.data.max_len = 48;
    c.model.base = base.string();
    c.model.vocab_size = 300;
    c.model.hidden_size = 32;
    c.model.layers = 2;
    c.model.heads = 4;
    c.model.lora_rank = rank;
    c.model.lora_alpha = 16;
    c.model.lora_targets = "q,v,o";
    c.train.steps = 4;
    c.train.batch_size = 8;
    c.train.lr = 2e-2;
    c.train.eval_every = 0;
    c.train.threads = 2;
    fs::create_directories(path(name));
    TrainerControl control;
    EventQueue events;
    const TrainSummary s = runTrainingJob(c, {name, path(name), {}}, control, events);
    if (s.state != TrainerState::Finished) qFatal("training %s failed: %s", name.c_str(), s.reason.c_str());
    return path(name);
  }

 private slots:
  void initTestCase() {
    const auto tok = exportfx::trainTokenizer(path("tokenizer.model"));
    base_ = path("base");
    exportfx::makeModelFolder(base_, tok, false);
    loraCls_ = train("lora-cls", "cls", base_, 4);
    loraLm_ = train("lora-lm", "lm", base_, 4);
    fullCls_ = train("full-cls", "cls", base_, 0);
    scratchLora_ = train("scratch-lora", "cls", {}, 4);
  }

  void sourcesSayWhatTheyOffer() {
    const auto lora = inspectExportSource(loraCls_);
    QVERIFY(lora.isRun && lora.finished && lora.lora);
    QCOMPARE(lora.task, std::string("cls"));
    QCOMPARE(lora.loraRank, 4);
    QCOMPARE(lora.loraTargets, (std::vector<std::string>{"q_proj", "v_proj", "o_proj"}));
    QCOMPARE(lora.baseModel, base_.string());
    QVERIFY2(contains(lora.method, "LoRA (rank 4, alpha 16"), lora.method.c_str());
    for (auto f : {ExportFormat::HuggingFace, ExportFormat::Peft, ExportFormat::Merged}) QVERIFY(exportFormatUnavailable(lora, f).empty());
    QVERIFY(contains(exportFormatUnavailable(lora, ExportFormat::Gguf), "sequence-classification"));
    QVERIFY(exportFormatUnavailable(inspectExportSource(loraLm_), ExportFormat::Gguf).empty());

    const auto full = inspectExportSource(fullCls_);
    QVERIFY(full.isRun && !full.lora);
    QCOMPARE(full.method, std::string("full fine-tuning"));
    QVERIFY(!exportFormatUnavailable(full, ExportFormat::Peft).empty());
    QVERIFY(!exportFormatUnavailable(full, ExportFormat::Merged).empty());
    QVERIFY(!exportDtypeUnavailable(ExportFormat::Peft, ExportDtype::Q8_0).empty());
    QVERIFY(exportDtypeUnavailable(ExportFormat::Gguf, ExportDtype::Q8_0).empty());
  }

  void peftClassifierAdapter() {
    ExportOptions o;
    o.out = path("out/cls-peft");
    o.format = ExportFormat::Peft;
    o.card.runId = "lora-cls";
    std::vector<std::string> stages;
    o.progress = [&](const std::string& s) { stages.push_back(s); };
    const ExportResult r = exportModel(loraCls_, o);
    QCOMPARE(stages, (std::vector<std::string>{"loading", "writing", "verifying", "finishing"}));
    const std::vector<std::string> expected = {"README.md", "adapter_config.json", "adapter_model.safetensors", "ftstudio_export.json",
                                               "special_tokens_map.json", "tokenizer.model", "tokenizer_config.json"};
    QCOMPARE(namesIn(o.out), expected);
    QCOMPARE(r.files, expected);

    // adapter_config.json as peft writes it.
    const auto ac = readJson(o.out / "adapter_config.json");
    QCOMPARE(ac["peft_type"].get<std::string>(), std::string("LORA"));
    QCOMPARE(ac["task_type"].get<std::string>(), std::string("SEQ_CLS"));
    QCOMPARE(ac["r"].get<int>(), 4);
    QVERIFY(ac["lora_alpha"].is_number_integer());  // an int in peft's LoraConfig
    QCOMPARE(ac["lora_alpha"].get<int>(), 16);
    QCOMPARE(ac["lora_dropout"].get<double>(), 0.05);
    QCOMPARE(ac["target_modules"].get<std::vector<std::string>>(), (std::vector<std::string>{"q_proj", "v_proj", "o_proj"}));
    QCOMPARE(ac["modules_to_save"].get<std::vector<std::string>>(), (std::vector<std::string>{"score"}));
    QCOMPARE(ac["base_model_name_or_path"].get<std::string>(), base_.string());
    QCOMPARE(ac["bias"].get<std::string>(), std::string("none"));
    QCOMPARE(ac["use_rslora"].get<bool>(), false);

    // PEFT's tensor names, shapes [r,in] / [out,r], and the values the run trained (its best checkpoint).
    const SafetensorsReader adapter(o.out / "adapter_model.safetensors");
    QCOMPARE(adapter.metadata().at("format"), std::string("pt"));
    const SafetensorsReader ckpt(loraCls_ / "checkpoints" / "best" / "model.safetensors");
    std::vector<std::string> names;
    for (const auto& e : adapter.entries()) names.push_back(e.name);
    std::sort(names.begin(), names.end());
    std::vector<std::string> want = {"base_model.model.score.weight"};
    for (int layer = 0; layer < 2; ++layer)
      for (const char* proj : {"q_proj", "v_proj", "o_proj"})
        for (const char* ab : {"lora_A", "lora_B"})
          want.push_back("base_model.model.model.layers." + std::to_string(layer) + ".self_attn." + proj + "." + ab + ".weight");
    std::sort(want.begin(), want.end());
    QCOMPARE(names, want);
    QCOMPARE(adapter.find("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")->shape, (std::vector<int64_t>{4, 64}));
    QCOMPARE(adapter.find("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight")->shape, (std::vector<int64_t>{32, 4}));  // 2 kv heads x 16
    QCOMPARE(adapter.find("base_model.model.score.weight")->shape, (std::vector<int64_t>{3, 64}));
    double largestB = 0;
    for (const auto& name : names) {
      const std::string ours = name.substr(std::string("base_model.model.").size());
      QVERIFY2(torch::equal(tensorFromView(adapter.view(name)), tensorFromView(ckpt.view(ours))), name.c_str());
      if (contains(name, "lora_B")) largestB = std::max(largestB, tensorFromView(adapter.view(name)).abs().max().item<double>());
    }
    QVERIFY2(largestB > 1e-4, "the adapters trained (B starts at zero)");

    // Verified by loading the base from its folder and the adapter from the export: the same arithmetic.
    const auto& v = r.verification;
    QVERIFY(v.passed);
    QVERIFY2(v.maxAbsDiff <= 1e-6, std::to_string(v.maxAbsDiff).c_str());
    QCOMPARE(v.argmaxAgreement, 1.0);
    QVERIFY(contains(v.reloadedWith, base_.string()));
    QVERIFY(contains(v.tokenizerCheck, "identical"));
    qInfo("peft f32 classifier: max abs diff %g over %lld rows", v.maxAbsDiff, static_cast<long long>(v.positions));

    const auto m = readJson(o.out / "ftstudio_export.json");
    QCOMPARE(m["format"].get<std::string>(), std::string("peft"));
    QCOMPARE(m["lora"]["r"].get<int>(), 4);
    QCOMPARE(m["lora"]["base_model"].get<std::string>(), base_.string());
    QCOMPARE(m["labels"].size(), size_t(3));
    QCOMPARE(m["pad_token_id"].get<int>(), LlamaConfig::load(loraCls_ / "config.json").pad_token_id);  // for loading the base as a classifier
    QVERIFY(m["verification"]["passed"].get<bool>());
    const std::string card = readWholeFile(o.out / "README.md");
    for (const char* part : {"library_name: peft", "A LoRA adapter", "PeftModel.from_pretrained", "AutoModelForSequenceClassification",
                             "num_labels=3", "pad_token_id=", "modules_to_save", "| method | LoRA (rank 4, alpha 16", "| result | passed |"})
      QVERIFY2(contains(card, part), part);
    QVERIFY(contains(card, base_.string()));
  }

  void peftCausalLmInBf16() {
    ExportOptions o;
    o.out = path("out/lm-peft-bf16");
    o.format = ExportFormat::Peft;
    o.dtype = ExportDtype::BF16;
    const ExportResult r = exportModel(loraLm_, o);
    const auto ac = readJson(o.out / "adapter_config.json");
    QCOMPARE(ac["task_type"].get<std::string>(), std::string("CAUSAL_LM"));
    QVERIFY(ac["modules_to_save"].is_null());
    const SafetensorsReader adapter(o.out / "adapter_model.safetensors");
    QCOMPARE(adapter.entries().size(), size_t(12));  // 2 layers x 3 projections x (A, B); no head
    for (const auto& e : adapter.entries()) {
      QVERIFY(contains(e.name, ".lora_"));
      QCOMPARE(e.dtype, SafetensorsDtype::BF16);
    }
    QVERIFY(r.verification.passed);
    QVERIFY(r.verification.argmaxAgreement > 0.9);
    qInfo("peft bf16 causal LM: max abs diff %g (accepted %g), argmax agreement %g", r.verification.maxAbsDiff, r.verification.tolerance,
          r.verification.argmaxAgreement);
  }

  void mergedFoldsTheAdaptersIn() {
    ExportOptions o;
    o.out = path("out/cls-merged");
    o.format = ExportFormat::Merged;
    const ExportResult r = exportModel(loraCls_, o);
    const std::vector<std::string> expected = {"README.md", "config.json", "ftstudio_export.json", "model.safetensors",
                                               "special_tokens_map.json", "tokenizer.model", "tokenizer_config.json"};
    QCOMPARE(namesIn(o.out), expected);
    QCOMPARE(readJson(o.out / "config.json")["architectures"][0].get<std::string>(), std::string("LlamaForSequenceClassification"));
    // A plain model: no adapter tensors, and the weights the run handed over (base + scale B A).
    const SafetensorsReader merged(o.out / "model.safetensors");
    const SafetensorsReader handed(loraCls_ / "model" / "model.safetensors");
    QCOMPARE(merged.entries().size(), handed.entries().size());
    double diff = 0;
    for (const auto& e : merged.entries()) {
      QVERIFY2(!contains(e.name, "lora_"), e.name.c_str());
      diff = std::max(diff, (tensorFromView(merged.view(e)) - tensorFromView(handed.view(e.name))).abs().max().item<double>());
    }
    QVERIFY2(diff < 1e-6, std::to_string(diff).c_str());
    const SafetensorsReader base(base_ / "model.safetensors");
    QVERIFY(!torch::equal(tensorFromView(merged.view("model.layers.0.self_attn.q_proj.weight")),
                          tensorFromView(base.view("model.layers.0.self_attn.q_proj.weight"))));
    QVERIFY(torch::equal(tensorFromView(merged.view("model.layers.0.self_attn.k_proj.weight")),
                         tensorFromView(base.view("model.layers.0.self_attn.k_proj.weight"))));  // not a target

    const auto& v = r.verification;
    QVERIFY(v.passed);
    QCOMPARE(v.tolerance, 1e-5 * std::max(1.0, v.maxAbsLogit));
    QVERIFY(contains(v.reloadedWith, "without adapters"));
    qInfo("merged f32 classifier: max abs diff %g against the adapters computed apart", v.maxAbsDiff);
    const std::string card = readWholeFile(o.out / "README.md");
    QVERIFY(contains(card, "with LoRA, the adapters merged into the base weights"));
    QVERIFY(contains(card, "AutoModelForSequenceClassification"));
    QCOMPARE(readJson(o.out / "ftstudio_export.json")["lora"]["target_modules"].size(), size_t(3));
  }

  void refusalsNameTheRunAndWhatToDo() {
    ExportOptions o;
    o.out = path("out/refused");
    o.format = ExportFormat::Peft;
    std::string m = refusal(fullCls_, o);
    QVERIFY2(contains(m, "run full-cls was trained without LoRA") && contains(m, "--format hf"), m.c_str());
    o.format = ExportFormat::Merged;
    m = refusal(fullCls_, o);
    QVERIFY2(contains(m, "run full-cls was trained without LoRA") && contains(m, "no adapter to merge") && contains(m, "--format hf"),
             m.c_str());
    o.format = ExportFormat::Peft;
    m = refusal(base_, o);
    QVERIFY2(contains(m, "is a model folder, not a run"), m.c_str());
    m = refusal(scratchLora_, o);
    QVERIFY2(contains(m, "no model.base") && contains(m, "--format merged"), m.c_str());
    o.dtype = ExportDtype::Q8_0;
    m = refusal(loraCls_, o);
    QVERIFY2(contains(m, "q8_0 is a GGUF block format"), m.c_str());
    o.dtype = ExportDtype::F32;
    o.format = ExportFormat::Gguf;
    QVERIFY(contains(refusal(loraCls_, o), "sequence-classification"));
    QVERIFY(!fs::exists(path("out/refused")));

    // Merged works without a base folder: the run's checkpoints hold the base weights.
    o.format = ExportFormat::Merged;
    o.out = path("out/scratch-merged");
    QVERIFY(exportModel(scratchLora_, o).verification.passed);
  }

  void aChangedBaseIsCaught() {
    // A LoRA run on a copy of the base; then the copy is overwritten with other weights.
    const auto tok = SentencePieceTokenizer::load(base_ / "tokenizer.model");
    const fs::path copy = path("base-copy");
    exportfx::makeModelFolder(copy, tok, false);
    const fs::path run = train("lora-on-copy", "lm", copy, 4);
    ExportOptions o;
    o.format = ExportFormat::Peft;
    o.out = path("out/changed-base");
    QVERIFY(exportModel(run, o).verification.passed);
    fs::remove_all(o.out);
    exportfx::makeModelFolder(copy, tok, false, false, /*seed=*/99);
    try {
      exportModel(run, o);
      QFAIL("a changed base folder passed verification");
    } catch (const ExportVerificationError& e) {
      QVERIFY2(contains(e.what(), "has probably changed since the run trained on it"), e.what());
      QVERIFY(!e.verification.passed);
      qInfo("peft onto a changed base: max abs diff %g (accepted %g)", e.verification.maxAbsDiff, e.verification.tolerance);
    }
    QVERIFY(!fs::exists(o.out));
    // And a base that is gone is refused before anything is loaded.
    fs::remove_all(copy);
    const std::string m = refusal(run, o);
    QVERIFY2(contains(m, "is gone") && contains(m, "--format merged"), m.c_str());
  }

  void anUnfinishedLoraRunExportsItsCheckpoint() {
    // Without model/ (stopped before the hand-over): peft takes the best checkpoint's adapters, hf and
    // merged fold them in; each says so.
    fs::rename(loraLm_ / "model", path("lora-lm-model.away"));
    ExportOptions o;
    o.format = ExportFormat::Peft;
    o.out = path("out/unfinished-peft");
    ExportResult r = exportModel(loraLm_, o);
    QVERIFY(r.verification.passed);
    QCOMPARE(r.notes.size(), size_t(1));
    QVERIFY2(contains(r.notes[0], "has not finished"), r.notes[0].c_str());
    o.format = ExportFormat::HuggingFace;
    o.out = path("out/unfinished-hf");
    r = exportModel(loraLm_, o);
    QVERIFY(r.verification.passed);
    QVERIFY2(contains(r.notes.at(0), "merged into the base weights"), r.notes[0].c_str());
    // The same weights as the hand-over folder training wrote.
    const SafetensorsReader a(o.out / "model.safetensors"), b(path("lora-lm-model.away") / "model.safetensors");
    for (const auto& e : a.entries())
      QVERIFY2((tensorFromView(a.view(e)) - tensorFromView(b.view(e.name))).abs().max().item<double>() < 1e-6, e.name.c_str());
    fs::rename(path("lora-lm-model.away"), loraLm_ / "model");
  }

  void aHandOverFolderThatMatchesNoCheckpointIsRefused() {
    // model/ replaced by other weights: no checkpoint's adapters give it, so neither peft nor merged
    // can claim to be that model.
    const fs::path run = train("lora-cls-2", "cls", base_, 4);
    const auto tok = SentencePieceTokenizer::load(run / "tokenizer.model");
    fts::LlamaForTask other(LlamaConfig::load(run / "model" / "config.json"), HeadKind::SequenceClassification);
    exportfx::randomize(*other, 5);
    saveHfModelFolder(run / "model", other, &tok);
    ExportOptions o;
    o.format = ExportFormat::Merged;
    o.out = path("out/mismatch");
    const std::string m = refusal(run, o);
    QVERIFY2(contains(m, "is not the base with the adapters of any of the run's checkpoints") && contains(m, "--format hf"), m.c_str());
    QVERIFY(!fs::exists(o.out));
  }
};

QTEST_GUILESS_MAIN(TestLoraExport)
#include "test_lora_export.moc"
