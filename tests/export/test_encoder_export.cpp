// BERT encoders through the exporter (core/export/EncoderExport): a tiny random encoder folder with a
// WordPiece tokenizer.json is fine-tuned as a classifier, a masked LM and a LoRA classifier, and each
// run is exported as a Hugging Face folder in f32 (identical logits), f16 and bf16 (within their
// precision), reloaded with loadTaskModel; GGUF and PEFT are refused with the reason; the CLI prints
// the verification.
#include "core/export/ExportSource.h"
#include "core/export/Exporter.h"
#include "core/io/BertHfFolder.h"
#include "core/model/BertModules.h"
#include "core/train/ModelSetup.h"
#include "core/train/Trainer.h"
#include "tests/common/FtstudioProcess.h"
#include "tests/common/TestHome.h"

#include <torch/torch.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include "core/util/AtomicFile.h"

#include <QtTest>

namespace fs = std::filesystem;

namespace {

// As tests/train/test_encoder_training.cpp: a bare BertModel sized to the WordPiece fixture's
// vocabulary, with its tokenizer.json.
fs::path writeEncoderFolder(const fs::path& folder) {
  const fs::path tokenizer = FTS_FIXTURES "/tokenizers/wordpiece/tokenizer.json";
  fts::BertConfig c;
  c.vocab_size = 577;
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 64;
  c.max_position_embeddings = 64;
  fts::BertModel bert(c, /*addPooler=*/true);
  fts::initBertWeights(*bert, c.pad_token_id, 7);
  fts::saveBertHfFolder(folder, bert, {}, {tokenizer});
  return folder;
}

fts::TrainConfig encoderConfig(const fs::path& base) {
  fts::TrainConfig c;
  c.data.train = FTS_FIXTURES "/topics_small.csv";
  c.data.max_len = 48;
  c.model.base = base.string();
  c.train.batch_size = 8;
  c.train.lr = 3e-3;
  c.train.steps = 4;
  c.train.eval_every = 0;
  c.train.threads = 1;
  c.train.deterministic = true;
  return c;
}

fs::path train(const fts::TrainConfig& c, const fs::path& dir, const std::string& id) {
  fs::create_directories(dir);
  fts::TrainerControl control;
  fts::EventQueue events;
  const auto s = fts::runTrainingJob(c, {id, dir.string(), {}}, control, events);
  if (s.state != fts::TrainerState::Finished) throw std::runtime_error("training " + id + " failed: " + s.reason);
  return dir;
}

fts::ExportResult exportRun(const fs::path& run, fts::ExportFormat format, fts::ExportDtype dtype, const fs::path& out) {
  fts::ExportOptions o;
  o.format = format;
  o.dtype = dtype;
  o.out = out;
  return fts::exportModel(run, o);
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

class TestEncoderExport : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path root_, base_, clsRun_, mlmRun_, loraRun_;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    fts::test::freshTestHome();
    root_ = fs::path(dir_.path().toStdString());
    base_ = writeEncoderFolder(root_ / "encoder");
    try {
      clsRun_ = train(encoderConfig(base_), root_ / "cls", "cls");
    fts::TrainConfig m = encoderConfig(base_);
    m.task = "mlm";
    m.data.text_col = "text";
    mlmRun_ = train(m, root_ / "mlm", "mlm");
    fts::TrainConfig l = encoderConfig(base_);
    l.model.lora_rank = 4;
    l.model.lora_targets = "q,v";
    loraRun_ = train(l, root_ / "lora", "lora");
    } catch (const std::exception& e) {
      QFAIL(e.what());
    }
  }

  void classifierF32IsExact() {
    const auto info = fts::inspectExportSource(clsRun_);
    QCOMPARE(info.modelType, std::string("bert"));
    QVERIFY(fts::exportFormatUnavailable(info, fts::ExportFormat::HuggingFace).empty());  // the GUI offers hf
    const fs::path out = root_ / "cls-f32";
    const auto r = exportRun(clsRun_, fts::ExportFormat::HuggingFace, fts::ExportDtype::F32, out);
    const auto& v = r.verification;
    qInfo("classifier f32: max abs diff %g (accepted %g, largest logit %g), argmax %g over %lld rows", v.maxAbsDiff, v.tolerance,
          v.maxAbsLogit, v.argmaxAgreement, static_cast<long long>(v.positions));
    QVERIFY(v.passed);
    QCOMPARE(v.maxAbsDiff, 0.0);  // the same float32 weights through the same code
    QCOMPARE(v.argmaxAgreement, 1.0);
    QCOMPARE(v.samples, 4);
    QCOMPARE(v.positions, int64_t{4});  // one row of class logits per sample
    QCOMPARE(r.task, std::string("cls"));
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "README.md", fts::kExportManifest})
      QVERIFY2(contains(r.files, f) && fs::exists(out / f), f);
    QVERIFY2(v.tokenizerCheck.find("same ids") != std::string::npos, v.tokenizerCheck.c_str());
    const auto reloaded = fts::loadTaskModel(out);
    QCOMPARE(reloaded->architecture(), std::string("BertForSequenceClassification"));
    QCOMPARE(reloaded->labels().size(), size_t{3});
    // The same weights as the run's hand-over folder.
    const auto handed = fts::loadTaskModel(clsRun_ / "model");
    auto a = handed->module().named_parameters(), b = reloaded->module().named_parameters();
    QCOMPARE(a.size(), b.size());
    for (const auto& p : a) QVERIFY2(torch::equal(p.value(), b[p.key()]), p.key().c_str());
    // A second export replaces the first whole (the folder holds the manifest).
    exportRun(clsRun_, fts::ExportFormat::HuggingFace, fts::ExportDtype::F32, out);
  }

  void halfPrecisionWithinTolerance() {
    for (const auto dtype : {fts::ExportDtype::F16, fts::ExportDtype::BF16}) {
      const std::string name(fts::exportDtypeName(dtype));
      const fs::path out = root_ / ("cls-" + name);
      const auto r = exportRun(clsRun_, fts::ExportFormat::HuggingFace, dtype, out);
      const auto& v = r.verification;
      qInfo("classifier %s: max abs diff %g (accepted %g, largest logit %g), argmax %g", name.c_str(), v.maxAbsDiff, v.tolerance,
            v.maxAbsLogit, v.argmaxAgreement);
      QVERIFY(v.passed);
      QVERIFY2(v.maxAbsDiff > 0, "the weights were rounded to half precision, so the logits move a little");
      QVERIFY(v.maxAbsDiff <= v.tolerance);
      // Half the bytes of the f32 file.
      QVERIFY(fs::file_size(out / "model.safetensors") < fs::file_size(root_ / "cls-f32" / "model.safetensors") * 6 / 10);
      QCOMPARE(fts::loadTaskModel(out)->architecture(), std::string("BertForSequenceClassification"));
    }
  }

  void maskedLmExports() {
    const fs::path out = root_ / "mlm-f32";
    const auto r = exportRun(mlmRun_, fts::ExportFormat::HuggingFace, fts::ExportDtype::F32, out);
    const auto& v = r.verification;
    qInfo("masked LM f32: max abs diff %g over %lld rows", v.maxAbsDiff, static_cast<long long>(v.positions));
    QVERIFY(v.passed);
    QCOMPARE(v.maxAbsDiff, 0.0);
    QVERIFY(v.positions > v.samples * 3);  // logits at every position of [CLS] text [SEP]
    QCOMPARE(fts::loadTaskModel(out)->architecture(), std::string("BertForMaskedLM"));
    // The model card names the task and family the Hub indexes.
    const std::string card = fts::readWholeFile(out / "README.md");
    QVERIFY2(card.find("pipeline_tag: fill-mask") != std::string::npos && card.find("  - bert\n") != std::string::npos, card.c_str());
    const auto bf = exportRun(mlmRun_, fts::ExportFormat::HuggingFace, fts::ExportDtype::BF16, root_ / "mlm-bf16");
    qInfo("masked LM bf16: max abs diff %g (accepted %g)", bf.verification.maxAbsDiff, bf.verification.tolerance);
    QVERIFY(bf.verification.passed && bf.verification.maxAbsDiff > 0);
  }

  void unfinishedLoraRunMergesItsCheckpoint() {
    // Without the hand-over folder, the export reads the newest checkpoint: base + adapters, merged.
    const fs::path copy = root_ / "lora-unfinished";
    fs::copy(loraRun_, copy, fs::copy_options::recursive);
    fs::remove_all(copy / "model");
    const auto r = exportRun(copy, fts::ExportFormat::HuggingFace, fts::ExportDtype::F32, root_ / "lora-f32");
    qInfo("LoRA checkpoint f32: max abs diff %g, source %s", r.verification.maxAbsDiff, r.source.c_str());
    QVERIFY(r.verification.passed);
    QVERIFY2(r.source.find("checkpoints") != std::string::npos, r.source.c_str());
    QVERIFY(!r.notes.empty() && r.notes[0].find("merged") != std::string::npos);
    const auto reloaded = fts::loadTaskModel(root_ / "lora-f32");
    for (const auto& p : reloaded->module().named_parameters()) QVERIFY2(p.key().find("lora_") == std::string::npos, p.key().c_str());
    // The merged checkpoint equals the run's own merged hand-over.
    const auto handed = fts::loadTaskModel(loraRun_ / "model");
    auto b = reloaded->module().named_parameters();
    double worst = 0;
    for (const auto& p : handed->module().named_parameters()) worst = std::max(worst, (p.value() - b[p.key()]).abs().max().item<double>());
    QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
  }

  void ggufAndPeftAreRefusedByName() {
    for (const auto format : {fts::ExportFormat::Gguf, fts::ExportFormat::Peft}) {
      const fs::path out = root_ / ("refused-" + std::string(fts::exportFormatName(format)));
      try {
        exportRun(format == fts::ExportFormat::Peft ? loraRun_ : clsRun_, format, fts::ExportDtype::F32, out);
        QFAIL("an encoder export in this format was not refused");
      } catch (const std::invalid_argument& e) {
        const std::string why = e.what();
        QVERIFY2(why.find("BERT encoder") != std::string::npos && why.find("--format hf") != std::string::npos, why.c_str());
        if (format == fts::ExportFormat::Gguf) QVERIFY2(why.find("llama.cpp") != std::string::npos, why.c_str());
      }
      QVERIFY(!fs::exists(out));
    }
  }

  void cliPrintsTheVerification() {
    const QString out = QString::fromStdString((root_ / "cli-export").string());
    const auto r = fts::test::ftstudio({"export", QString::fromStdString(clsRun_.string()), "--format", "hf", "--dtype", "bf16", "--out",
                                        out, "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject j = fts::test::lastJsonObject(r.out);
    QVERIFY2(!j.isEmpty(), r.out.constData());
    QCOMPARE(j["format"].toString(), QString("hf"));
    const QJsonObject v = j["verification"].toObject();
    QVERIFY2(v["passed"].toBool(), r.out.constData());
    QVERIFY(v["max_abs_diff"].toDouble() <= v["tolerance"].toDouble());
    QCOMPARE(v["samples"].toInt(), 4);
    QVERIFY(fs::exists(fs::path(out.toStdString()) / "tokenizer.json"));
    const auto g = fts::test::ftstudio({"export", QString::fromStdString(clsRun_.string()), "--format", "gguf", "--out", out + "-gguf"});
    QVERIFY(g.code != 0);
    QVERIFY2(g.err.contains("BERT encoder"), g.err.constData());
  }
};

QTEST_GUILESS_MAIN(TestEncoderExport)
#include "test_encoder_export.moc"
