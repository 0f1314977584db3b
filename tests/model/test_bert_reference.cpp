// Our BERT encoder against an independent PyTorch implementation of its formulas
// (tests/model/reference_bert.py, run by Debian's /usr/bin/python3 with python3-torch). The model goes
// through our HF folder writer, so this also checks that what we export means to a reader of HF's
// names what it means to us: names, layouts, the padding mask, token types, the pooler or mean
// pooling, the tied masked-LM decoder. Then what the loader must accept and refuse, bf16 autocast,
// gradients with respect to the input embeddings, parameter groups and LoRA.
#include "TinyBert.h"

#include "core/io/BertHfFolder.h"
#include "core/model/BertAttention.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/SafetensorsWriter.h"
#include "core/io/TorchTensors.h"
#include "core/model/BertLora.h"
#include "core/util/AtomicFile.h"

#include <ATen/autocast_mode.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

namespace fs = std::filesystem;

namespace {

const char* kPython = "/usr/bin/python3";

QString pythonTorchProblem() {
  if (!QFileInfo::exists(kPython)) return QString("%1 does not exist").arg(kPython);
  QProcess p;
  p.start(kPython, {"-c", "import torch"});
  if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
    return QString("%1 cannot import torch (install Debian's python3-torch): %2")
        .arg(kPython, QString::fromUtf8(p.readAllStandardError()).trimmed());
  return {};
}

QString rowsArgument(const torch::Tensor& t) {
  QStringList rows;
  for (int64_t b = 0; b < t.size(0); ++b) {
    QStringList row;
    for (int64_t i = 0; i < t.size(1); ++i) row << QString::number(t[b][i].item<int64_t>());
    rows << row.join(',');
  }
  return rows.join(';');
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// Rewrites <folder>/model.safetensors the way sentence-transformers stores a bare BertModel: "bert."
// dropped, the task head left out; config.json says BertModel.
void makeSentenceTransformersFolder(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fts::SafetensorsReader reader(from / "model.safetensors");
  std::vector<fts::TensorView> views;
  for (const auto& e : reader.entries()) {
    if (e.name.rfind("bert.", 0) != 0) continue;  // classifier.*, cls.*
    auto v = reader.view(e);
    v.name = e.name.substr(5);
    views.push_back(v);
  }
  fts::writeSafetensors(to / "model.safetensors", views, {{"format", "pt"}});
  auto config = nlohmann::json::parse(fts::readWholeFile(from / "config.json"));
  config["architectures"] = {"BertModel"};
  config.erase("id2label");
  config.erase("label2id");
  config.erase("num_labels");
  fts::writeFileAtomically(to / "config.json", config.dump(2));
}

// Copies a folder's weights leaving out one tensor (or renaming it, to break a shape).
void rewriteWithout(const fs::path& from, const fs::path& to, const std::string& dropped) {
  fs::create_directories(to);
  fs::copy_file(from / "config.json", to / "config.json", fs::copy_options::overwrite_existing);
  fts::SafetensorsReader reader(from / "model.safetensors");
  std::vector<fts::TensorView> views;
  for (const auto& e : reader.entries())
    if (e.name != dropped) views.push_back(reader.view(e));
  fts::writeSafetensors(to / "model.safetensors", views, {{"format", "pt"}});
}

}  // namespace

class TestBertReference : public QObject {
  Q_OBJECT
  QString pythonProblem_;

  // Runs the reference on `folder`; returns {hidden, logits} as F64.
  std::pair<torch::Tensor, torch::Tensor> reference(const fs::path& folder, const tinybert::Batch& b, const QString& out) {
    QStringList lengths;
    for (auto l : b.lengths) lengths << QString::number(l);
    QProcess py;
    py.setProcessChannelMode(QProcess::MergedChannels);
    py.start(kPython, {QString(FTS_SOURCE_DIR) + "/tests/model/reference_bert.py", QString::fromStdString(folder.string()),
                       rowsArgument(b.ids), rowsArgument(b.types), lengths.join(','), out});
    if (!py.waitForFinished(120000) || py.exitCode() != 0) {
      qWarning("%s", py.readAll().constData());
      return {};
    }
    fts::SafetensorsReader reader(out.toStdString());
    return {fts::tensorFromView(reader.view("hidden")), fts::tensorFromView(reader.view("logits"))};
  }

 private slots:
  void initTestCase() {
    torch::manual_seed(0);
    pythonProblem_ = pythonTorchProblem();
  }

  void matchesPyTorchReference_data() {
    QTest::addColumn<QString>("head");
    QTest::addColumn<QString>("act");
    QTest::newRow("classifier, pooler, exact GELU") << "pooler" << "gelu";
    QTest::newRow("classifier, mean pooling, tanh GELU") << "mean" << "gelu_new";
    QTest::newRow("masked LM, tied decoder, exact GELU") << "mlm" << "gelu";
  }

  void matchesPyTorchReference() {
    if (!pythonProblem_.isEmpty()) QSKIP(qPrintable("PyTorch reference not run: " + pythonProblem_));
    QFETCH(QString, head);
    QFETCH(QString, act);
    const bool mlm = head == "mlm";
    auto config = tinybert::config(!mlm);
    config.hidden_act = act.toStdString();
    if (head == "mean") config.classifier_pooling = "mean";
    const auto b = tinybert::batch({12, 7, 1}, 12, config.vocab_size);

    QTemporaryDir dir;
    const fs::path folder = dir.filePath("model").toStdString();
    torch::Tensor hidden, logits;
    {
      torch::NoGradGuard noGrad;
      if (mlm) {
        fts::BertForMaskedLM model(config);
        tinybert::randomize(*model, 7);
        model->eval();
        hidden = model->bert->forwardEmbeds(model->bert->embed(b.ids), b.mask, b.types);  // [B,T,D]
        logits = model->mlmLogits(hidden);                                               // [B,T,V]
        fts::saveBertHfFolder(folder, model);
      } else {
        fts::BertForSequenceClassification model(config);
        tinybert::randomize(*model, 7);
        model->eval();
        hidden = model->bert->forwardEmbeds(model->bert->embed(b.ids), b.mask, b.types);
        logits = model->classLogits(hidden, b.mask);                                     // [B,C]
        fts::saveBertHfFolder(folder, model);
      }
    }
    auto [refHidden, refLogits] = reference(folder, b, dir.filePath("reference.safetensors"));
    QVERIFY2(refHidden.defined(), "reference_bert.py failed");
    QCOMPARE(refLogits.sizes().vec(), logits.sizes().vec());
    // Hidden states at the padding positions mean nothing (HF computes them too, from masked keys):
    // compare the token rows; the logits cover everything the heads read.
    auto tokens = b.mask.to(torch::kBool).unsqueeze(-1);  // [B,T,1]
    const double dh = maxDiff(hidden.masked_fill(~tokens, 0), refHidden.masked_fill(~tokens, 0));
    torch::Tensor l = logits, r = refLogits;
    if (mlm) {
      l = logits.masked_fill(~tokens, 0);
      r = refLogits.masked_fill(~tokens, 0);
    }
    const double dl = maxDiff(l, r);
    qInfo("max |ours - reference|: hidden %.3g, logits %.3g (largest logit %.3g)", dh, dl, r.abs().max().item<double>());
    QVERIFY2(r.abs().max().item<double>() > 0.5, "logits too small for the comparison to mean anything");
    QVERIFY2(dh < 1e-4, qPrintable(QString("hidden max abs difference %1").arg(dh)));
    QVERIFY2(dl < 1e-4, qPrintable(QString("logits max abs difference %1").arg(dl)));
  }

  void fusedAttentionMatchesTensorOps_data() {
    QTest::addColumn<double>("dropout");
    QTest::addColumn<bool>("bf16");
    QTest::newRow("fp32, padding mask") << 0.0 << false;
    QTest::newRow("fp32, padding mask, attention dropout 0.3") << 0.3 << false;
    QTest::newRow("bf16, padding mask") << 0.0 << true;
  }

  void fusedAttentionMatchesTensorOps() {
    if (!fts::fusedBertAttentionAvailable()) QSKIP("the fused BERT attention is not built in (no BLAS with sgemm_)");
    QFETCH(double, dropout);
    QFETCH(bool, bf16);
    const int64_t B = 3, T = 13, H = 4, Dh = 8, D = H * Dh;
    torch::manual_seed(5);
    // qkv with a strided row (a slice of a wider tensor), as a fused projection may hand over.
    auto wide = torch::randn({B, T, 3 * D + 5});
    auto qkv = wide.narrow(-1, 2, 3 * D).to(bf16 ? torch::kBFloat16 : torch::kFloat32).detach().requires_grad_(true);
    const auto b = tinybert::batch({13, 6, 1}, T, 100);
    auto bias = fts::bertAdditiveMask(b.mask);  // [B,1,1,T]
    const double scale = 1.0 / std::sqrt(static_cast<double>(Dh));
    auto gout = torch::randn({B, T, D});

    torch::manual_seed(77);
    auto fused = fts::fusedBertAttention(qkv, bias, H, scale, dropout);
    fused.backward(gout.to(fused.scalar_type()));
    auto gradFused = qkv.grad().clone();
    qkv.mutable_grad() = torch::Tensor();

    // The same in tensor ops, in fp32, with the kernel's keep mask drawn from the same seed.
    torch::manual_seed(77);
    torch::Tensor keep = dropout > 0 ? fts::bertAttentionKeepMask(B, H, T, dropout, fts::bertAttentionDropoutSeed()) : torch::Tensor();
    if (keep.defined()) {
      const double dropped = 1.0 - keep.mean().item<double>();
      QVERIFY2(std::abs(dropped - dropout) < 0.03, qPrintable(QString("dropped fraction %1").arg(dropped)));
    }
    auto x = qkv.to(torch::kFloat32);
    auto parts = x.view({B, T, 3, H, Dh}).permute({2, 0, 3, 1, 4});  // [3,B,H,T,Dh]
    auto probs = torch::softmax(torch::matmul(parts[0], parts[1].transpose(-2, -1)) * scale + bias, -1);
    if (keep.defined()) probs = probs * keep / (1.0 - dropout);
    auto ops = torch::matmul(probs, parts[2]).transpose(1, 2).reshape({B, T, D});
    ops.backward(gout);
    const double tol = bf16 ? 0.05 : 1e-5;
    const double df = maxDiff(fused, ops) / ops.abs().max().item<double>();
    const double dg = maxDiff(gradFused, qkv.grad()) / qkv.grad().abs().max().item<double>();
    qInfo("fused vs tensor ops: output %.3g, gradient %.3g (relative to the largest)", df, dg);
    QVERIFY2(df < tol, qPrintable(QString::number(df)));
    QVERIFY2(dg < tol, qPrintable(QString::number(dg)));
    // Padding keys get no gradient (their k and v columns) from the rows that see them masked.
    auto gk = gradFused.to(torch::kFloat32).narrow(-1, D, 2 * D).abs().sum(-1);  // [B,T]
    QCOMPARE(gk.masked_select(b.mask.eq(0)).max().item<double>(), 0.0);
  }

  void paddingChangesNothingForTheTokens() {
    // The same rows padded to 12 and to 20 tokens: identical logits (the mask hides the padding).
    auto config = tinybert::config();
    fts::BertForSequenceClassification model(config);
    tinybert::randomize(*model, 3);
    model->eval();
    torch::NoGradGuard noGrad;
    auto a = tinybert::batch({12, 7, 1}, 12, config.vocab_size), c = tinybert::batch({12, 7, 1}, 20, config.vocab_size);
    auto la = model->classLogitsFromEmbeds(model->bert->embed(a.ids), a.mask, a.types);
    auto lc = model->classLogitsFromEmbeds(model->bert->embed(c.ids), c.mask, c.types);
    QVERIFY2(maxDiff(la, lc) < 1e-5, qPrintable(QString::number(maxDiff(la, lc))));
  }

  void sentenceTransformersNamesLoad() {
    auto config = tinybert::config();
    fts::BertForSequenceClassification original(config);
    tinybert::randomize(*original, 11);
    original->eval();
    QTemporaryDir dir;
    const fs::path task = dir.filePath("task").toStdString(), bare = dir.filePath("bare").toStdString();
    fts::saveBertHfFolder(task, original);
    makeSentenceTransformersFolder(task, bare);
    const auto files = fts::findHfModelFiles(bare);
    const auto b = tinybert::batch({9, 4}, 9, config.vocab_size);
    torch::NoGradGuard noGrad;
    auto want = original->bert->forwardEmbeds(original->bert->embed(b.ids), b.mask, b.types);

    // A bare BertModel, as sentence-transformers holds it.
    fts::BertModel base(fts::loadBertHfConfig(bare), /*addPooler=*/true);
    base->eval();
    auto baseReport = fts::loadBertHfWeights(base, files);
    QVERIFY(baseReport.bareNames);
    QVERIFY(baseReport.headKeptInitialised.empty());
    QCOMPARE(maxDiff(base->forwardEmbeds(base->embed(b.ids), b.mask, b.types), want), 0.0);

    // A classifier on that encoder: the classifier is new, the pooler comes from the folder.
    auto withLabels = fts::loadBertHfConfig(bare);
    withLabels.id2label = config.id2label;
    fts::BertForSequenceClassification fresh(withLabels);
    try {
      fts::loadBertHfWeights(fresh, files);
      QFAIL("a missing classifier loaded without allowMissingHead");
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).contains("'classifier.") && QString(e.what()).contains("model.safetensors"), e.what());
    }
    fts::HfLoadOptions options;
    options.allowMissingHead = true;
    auto report = fts::loadBertHfWeights(fresh, files, options);
    QVERIFY(report.bareNames);
    const std::set<std::string> kept(report.headKeptInitialised.begin(), report.headKeptInitialised.end());
    QCOMPARE(kept, (std::set<std::string>{"classifier.bias", "classifier.weight"}));
    fresh->eval();
    QCOMPARE(maxDiff(fresh->bert->forwardEmbeds(fresh->bert->embed(b.ids), b.mask, b.types), want), 0.0);
    QCOMPARE(maxDiff(fresh->bert->pooler->dense->weight, original->bert->pooler->dense->weight), 0.0);

    // The masked LM on the bare encoder: its whole cls.predictions head is new.
    fts::BertForMaskedLM mlm(fts::loadBertHfConfig(bare));
    auto mlmReport = fts::loadBertHfWeights(mlm, files, options);
    QCOMPARE(static_cast<int>(mlmReport.headKeptInitialised.size()), 5);  // transform dense w/b, LayerNorm w/b, bias
    QVERIFY(std::find(mlmReport.unused.begin(), mlmReport.unused.end(), "pooler.dense.weight") != mlmReport.unused.end());
  }

  void savedFolderRoundTrips() {
    // Both heads, and a bare BertModel saved then loaded into a task model ("bert." added back).
    auto config = tinybert::config(false);
    config.hidden_act = "gelu_new";
    fts::BertForMaskedLM model(config);
    tinybert::randomize(*model, 5);
    QTemporaryDir dir;
    const fs::path folder = dir.filePath("mlm").toStdString();
    fts::saveBertHfFolder(folder, model, {}, {});
    auto json = nlohmann::json::parse(fts::readWholeFile(folder / "config.json"));
    QCOMPARE(QString::fromStdString(json["architectures"][0].get<std::string>()), QString("BertForMaskedLM"));
    QCOMPARE(QString::fromStdString(json["hidden_act"].get<std::string>()), QString("gelu_new"));
    fts::SafetensorsReader reader(folder / "model.safetensors");
    bool decoderWritten = false;
    for (const auto& e : reader.entries()) decoderWritten |= e.name.find("decoder") != std::string::npos;
    QVERIFY2(!decoderWritten, "the tied decoder must not be written (transformers ties it)");
    QVERIFY(reader.entries().size() == model->parameters().size());

    fts::BertForMaskedLM back(fts::loadBertHfConfig(folder));
    auto report = fts::loadBertHfWeights(back, fts::findHfModelFiles(folder));
    QCOMPARE(report.tensorsLoaded, static_cast<int64_t>(model->parameters().size()));
    QVERIFY(!report.bareNames);
    auto a = model->named_parameters(), c = back->named_parameters();
    for (const auto& p : a) QCOMPARE(maxDiff(p.value(), c[p.key()]), 0.0);

    fts::BertModel base(config, true);
    tinybert::randomize(*base, 6);
    const fs::path baseFolder = dir.filePath("base").toStdString();
    fts::saveBertHfFolder(baseFolder, base);
    fts::SafetensorsReader baseReader(baseFolder / "model.safetensors");
    QVERIFY(baseReader.entries().front().name.rfind("bert.", 0) != 0);
    config.id2label = {"a", "b"};
    fts::BertForSequenceClassification cls(config);
    fts::HfLoadOptions options;
    options.allowMissingHead = true;
    auto clsReport = fts::loadBertHfWeights(cls, fts::findHfModelFiles(baseFolder), options);
    QVERIFY(clsReport.bareNames);
    QCOMPARE(maxDiff(cls->bert->encoder->named_parameters()["layer.1.output.dense.weight"],
                     base->encoder->named_parameters()["layer.1.output.dense.weight"]), 0.0);
  }

  void loaderErrorsNameTensorAndFile() {
    auto config = tinybert::config();
    fts::BertForSequenceClassification model(config);
    QTemporaryDir dir;
    const fs::path folder = dir.filePath("ok").toStdString(), broken = dir.filePath("broken").toStdString();
    fts::saveBertHfFolder(folder, model);
    rewriteWithout(folder, broken, "bert.encoder.layer.1.attention.self.key.bias");
    fts::BertForSequenceClassification target(config);
    try {
      fts::loadBertHfWeights(target, fts::findHfModelFiles(broken));
      QFAIL("a missing tensor loaded");
    } catch (const std::runtime_error& e) {
      const QString what = e.what();
      QVERIFY2(what.contains("'bert.encoder.layer.1.attention.self.key.bias'") && what.contains("broken/model.safetensors"),
               e.what());
    }
    auto other = config;
    other.intermediate_size = 48;
    fts::BertForSequenceClassification wrongShape(other);
    try {
      fts::loadBertHfWeights(wrongShape, fts::findHfModelFiles(folder));
      QFAIL("a shape mismatch loaded");
    } catch (const std::runtime_error& e) {
      const QString what = e.what();
      QVERIFY2(what.contains("'bert.encoder.layer.0.intermediate.dense.weight'") && what.contains("[64, 32]") &&
                   what.contains("[48, 32]") && what.contains("ok/model.safetensors"),
               e.what());
    }
    auto fewer = config;
    fewer.num_hidden_layers = 1;
    fts::BertForSequenceClassification oneLayer(fewer);
    try {
      fts::loadBertHfWeights(oneLayer, fts::findHfModelFiles(folder));
      QFAIL("extra tensors loaded");
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).contains("no place for") && QString(e.what()).contains("encoder.layer.1."), e.what());
    }
  }

  void configReadsAndRefuses() {
    const std::string text = R"({"model_type": "bert", "hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12,
      "intermediate_size": 1536, "hidden_act": "gelu", "max_position_embeddings": 512, "type_vocab_size": 2,
      "layer_norm_eps": 1e-12, "vocab_size": 30522, "pad_token_id": 0, "hidden_dropout_prob": 0.1,
      "attention_probs_dropout_prob": 0.1, "position_embedding_type": "absolute", "classifier_dropout": null,
      "id2label": {"0": "neg", "1": "pos"}, "num_labels": 2})";
    auto c = fts::BertConfig::fromJson(text, "config.json");
    QCOMPARE(c.hidden_size, 384);
    QCOMPARE(c.headDim(), 32);
    QCOMPARE(c.classifierDropout(), 0.1);
    QCOMPARE(c.id2label, (std::vector<std::string>{"neg", "pos"}));
    auto again = fts::BertConfig::fromJson(c.toJson("BertForSequenceClassification"), "again");
    QCOMPARE(again.toJson("X"), c.toJson("X"));

    auto refused = [&](const std::string& from, const std::string& to, const QString& message) {
      std::string t = text;
      t.replace(t.find(from), from.size(), to);
      try {
        fts::BertConfig::fromJson(t, "some/config.json");
        QFAIL(qPrintable("accepted " + QString::fromStdString(to)));
      } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("some/config.json") && QString(e.what()).contains(message), e.what());
      }
    };
    refused("\"absolute\"", "\"relative_key\"", "'relative_key' is not supported");
    refused("\"gelu\"", "\"relu\"", "hidden_act 'relu'");
    refused("\"bert\"", "\"llama\"", "model_type 'llama'");
    refused("\"num_labels\": 2", "\"num_labels\": 3", "num_labels");
  }

  void bf16AutocastRuns() {
    auto config = tinybert::config(false);
    fts::BertForMaskedLM model(config);
    tinybert::randomize(*model, 9);
    model->eval();
    const auto b = tinybert::batch({12, 7, 1}, 12, config.vocab_size);
    torch::NoGradGuard noGrad;
    auto want = model->mlmLogits(model->bert->forwardEmbeds(model->bert->embed(b.ids), b.mask, b.types));
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    auto got = model->mlmLogits(model->bert->forwardEmbeds(model->bert->embed(b.ids), b.mask, b.types));
    at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
    QCOMPARE(got.scalar_type(), torch::kBFloat16);
    const double rel = maxDiff(got, want) / want.abs().max().item<double>();
    qInfo("bf16 autocast: max |bf16 - fp32| / max |fp32| = %.3g", rel);
    QVERIFY2(rel < 0.05, qPrintable(QString::number(rel)));
  }

  void embeddingGradientSkipsPadding() {
    auto config = tinybert::config();
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0;
    for (const std::string pooling : {"pooler", "mean"}) {
      config.classifier_pooling = pooling;
      fts::BertForSequenceClassification model(config);
      tinybert::randomize(*model, 4);
      const auto b = tinybert::batch({12, 7, 1}, 12, config.vocab_size);
      auto e = model->bert->embed(b.ids).detach().requires_grad_(true);  // [B,T,D]
      auto logits = model->classLogitsFromEmbeds(e, b.mask, b.types);
      torch::nn::functional::cross_entropy(logits, torch::tensor({0, 1, 2})).backward();
      QVERIFY(e.grad().defined());
      auto perToken = e.grad().abs().sum(-1);  // [B,T]
      auto pad = b.mask.eq(0);
      QCOMPARE(perToken.masked_select(pad).abs().max().item<double>(), 0.0);
      QVERIFY(perToken.masked_select(~pad).min().item<double>() > 0);
    }
    fts::BertForMaskedLM mlm(tinybert::config(false));
    tinybert::randomize(*mlm, 4);
    const auto b = tinybert::batch({12, 7, 1}, 12, 100);
    auto targets = b.ids.masked_fill(b.mask.eq(0), -100);
    auto e = mlm->bert->embed(b.ids).detach().requires_grad_(true);
    auto loss = mlm->mlmLoss(mlm->bert->forwardEmbeds(e, b.mask, b.types), targets);
    loss.backward();
    QCOMPARE(e.grad().abs().sum(-1).masked_select(b.mask.eq(0)).max().item<double>(), 0.0);
    QVERIFY(mlm->bert->embeddings->word_embeddings->weight.grad().defined());  // through the tied decoder too
    // mlmLoss (the predicted rows only) equals the cross-entropy of the full logits.
    torch::NoGradGuard noGrad;
    auto hidden = mlm->bert->forwardEmbeds(e, b.mask, b.types);
    auto full = torch::nn::functional::cross_entropy(mlm->mlmLogits(hidden).reshape({-1, 100}), targets.reshape({-1}));
    QVERIFY(std::abs(full.item<double>() - mlm->mlmLoss(hidden, targets).item<double>()) < 1e-5);
  }

  void parameterGroupsCoverEveryParameterOnce() {
    fts::BertForSequenceClassification model(tinybert::config());
    auto groups = model->parameterGroups();
    QCOMPARE(static_cast<int>(groups.size()), 4);
    QCOMPARE(QString::fromStdString(groups[1].name), QString("encoder.layer.0"));
    std::set<const void*> seen;
    size_t n = 0;
    for (const auto& g : groups)
      for (const auto& p : g.parameters) {
        seen.insert(p.data_ptr());
        ++n;
      }
    QCOMPARE(n, model->parameters().size());
    QCOMPARE(seen.size(), n);
    fts::BertForMaskedLM mlm(tinybert::config(false));
    size_t m = 0;
    for (const auto& g : mlm->parameterGroups()) m += g.parameters.size();
    QCOMPARE(m, mlm->parameters().size());
  }

  void loraAttachesByRole() {
    auto config = tinybert::config();
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0;
    fts::BertForSequenceClassification model(config);
    tinybert::randomize(*model, 8);
    model->eval();
    const auto b = tinybert::batch({12, 7, 1}, 12, config.vocab_size);
    auto logits = [&] { return model->classLogitsFromEmbeds(model->bert->embed(b.ids), b.mask, b.types); };
    torch::Tensor before;
    {
      torch::NoGradGuard noGrad;
      before = logits();
    }
    fts::LoraConfig lora;
    lora.rank = 4;
    lora.dropout = 0;
    lora.targets = {"query", "v", "o", "up", "output.dense"};
    fts::attachBertLora(model, lora, 1);
    std::set<std::string> trainable;
    for (const auto& p : model->named_parameters())
      if (p.value().requires_grad()) trainable.insert(p.key());
    QVERIFY(trainable.count("bert.encoder.layer.0.attention.self.query.lora_A.weight"));
    QVERIFY(trainable.count("bert.encoder.layer.1.attention.output.dense.lora_B.weight"));
    QVERIFY(trainable.count("bert.encoder.layer.1.intermediate.dense.lora_A.weight"));
    QVERIFY(trainable.count("bert.encoder.layer.1.output.dense.lora_A.weight"));
    QVERIFY(trainable.count("classifier.weight"));
    QCOMPARE(static_cast<int>(trainable.size()), 2 * 5 * 2 + 2);  // A and B of 5 targets in 2 layers, classifier
    torch::NoGradGuard noGrad;
    QVERIFY(maxDiff(logits(), before) < 1e-5);  // B = 0 (the adapted linears take another BLAS path: rounding)
    for (auto& p : model->named_parameters())
      if (p.key().find("lora_B") != std::string::npos) p.value().normal_(0, 0.1);
    auto adapted = logits();
    QVERIFY(maxDiff(adapted, before) > 1e-3);
    model->train();  // the adapters' own path (no dropout): same as folded
    QVERIFY(maxDiff(logits(), adapted) < 1e-5);
    model->eval();
    fts::mergeBertLora(*model->bert);
    QVERIFY(maxDiff(logits(), adapted) < 1e-5);
    fts::unmergeBertLora(*model->bert);
    QVERIFY(maxDiff(logits(), adapted) < 1e-5);
    try {
      fts::bertLoraRoles({"gate"});
      QFAIL("gate accepted");
    } catch (const std::invalid_argument& e) {
      QVERIFY2(QString(e.what()).contains("'gate'"), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestBertReference)
#include "test_bert_reference.moc"
