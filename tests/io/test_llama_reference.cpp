// Our Llama forward pass against an independent PyTorch implementation of Hugging Face's formulas
// (tests/io/reference_llama.py, run by Debian's /usr/bin/python3 with python3-torch). The model goes
// through our safetensors writer and HF folder layout, so this also checks that what we export means
// to HF what it means to us: tensor names, layouts, RoPE convention, GQA grouping, biases, tied
// embeddings and the classifier's pooling. Random weights far from zero make every term count.
// Scaled rotary embeddings (rope_scaling linear and llama3, in transformers 4's and 5's spellings) go
// the same way, on sequences longer than llama3's original context, so every frequency band counts.
#include "TinyLlama.h"

#include "core/io/HfModelFolder.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/TorchTensors.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const char* kPython = "/usr/bin/python3";

// Empty when Debian's Python with torch is usable; otherwise why not.
QString pythonTorchProblem() {
  if (!QFileInfo::exists(kPython)) return QString("%1 does not exist").arg(kPython);
  QProcess p;
  p.start(kPython, {"-c", "import torch"});
  if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
    return QString("%1 cannot import torch (install Debian's python3-torch): %2")
        .arg(kPython, QString::fromUtf8(p.readAllStandardError()).trimmed());
  return {};
}

QString idsArgument(const torch::Tensor& ids) {
  QStringList rows;
  for (int64_t b = 0; b < ids.size(0); ++b) {
    QStringList row;
    for (int64_t t = 0; t < ids.size(1); ++t) row << QString::number(ids[b][t].item<int64_t>());
    rows << row.join(',');
  }
  return rows.join(';');
}

}  // namespace

class TestLlamaReference : public QObject {
  Q_OBJECT
  QString pythonProblem_;

 private slots:
  void initTestCase() { pythonProblem_ = pythonTorchProblem(); }

  void logitsMatchPyTorchReference_data() {
    QTest::addColumn<bool>("tied");
    QTest::addColumn<bool>("classifier");
    QTest::addColumn<bool>("gqaAndBias");
    QTest::addColumn<QString>("modelType");
    // config.json fields merged over the tiny config (rope_scaling / rope_parameters), read by our
    // LlamaConfig::fromJson, written back by our writer and read again by the reference.
    QTest::addColumn<QString>("ropeJson");
    QTest::addColumn<int>("heads");  // 0: the tiny config's 4 (head size 8); 2: head size 16
    QTest::newRow("Llama causal LM, GQA, q/k/v/o bias, rope_theta 5e5") << false << false << true << "llama" << "" << 0;
    QTest::newRow("Qwen2 causal LM, GQA, q/k/v bias only") << false << false << true << "qwen2" << "" << 0;
    QTest::newRow("causal LM, tied embeddings") << true << false << true << "llama" << "" << 0;
    QTest::newRow("causal LM, plain multi-head, no bias") << false << false << false << "llama" << "" << 0;
    QTest::newRow("sequence classification, last non-pad token") << false << true << true << "llama" << "" << 0;
    QTest::newRow("rope_scaling linear, factor 2") << false << false << true << "llama"
                                                   << R"({"rope_scaling": {"rope_type": "linear", "factor": 2.0}})" << 0;
    QTest::newRow("rope_scaling linear, older 'type' key") << false << false << false << "llama"
                                                           << R"({"rope_scaling": {"type": "linear", "factor": 2.0}})" << 0;
    QTest::newRow("rope_scaling llama3, factor 8, low 1, high 4, original 16")
        << false << false << true << "llama"
        << R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 16}})"
        << 0;
    // Head size 16 at theta 1e4: wavelengths 6.3 (< 32/4: kept), 19.9 (blended), 63 and longer (/ factor).
    QTest::newRow("rope_parameters (transformers 5) llama3, original 32, every band")
        << false << false << false << "llama"
        << R"({"rope_parameters": {"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 32}})"
        << 2;
    QTest::newRow("classification with rope_scaling llama3") << false << true << true << "llama"
        << R"({"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 16}})"
        << 0;
  }

  void logitsMatchPyTorchReference() {
    if (!pythonProblem_.isEmpty())
      QSKIP(qPrintable("PyTorch reference not run: " + pythonProblem_));
    QFETCH(bool, tied);
    QFETCH(bool, classifier);
    QFETCH(bool, gqaAndBias);
    QFETCH(QString, modelType);
    QFETCH(QString, ropeJson);
    QFETCH(int, heads);

    auto config = tiny::config(tied, classifier);
    config.model_type = modelType.toStdString();
    if (!gqaAndBias) {
      config.num_key_value_heads = 0;
      config.attention_bias = false;
      config.rope_theta = 10000.0;
    }
    if (heads > 0) {
      config.num_attention_heads = heads;
      config.num_key_value_heads = 0;
    }
    const fts::LlamaConfig unscaled = config;
    const bool scaled = !ropeJson.isEmpty();
    if (scaled) {  // through config.json text, as a model folder brings it
      auto j = nlohmann::json::parse(config.toJson("LlamaForCausalLM"));
      j.update(nlohmann::json::parse(ropeJson.toStdString()));
      config = fts::LlamaConfig::fromJson(j.dump(), "test config.json");
      QVERIFY(config.rope_scaling.scaled());
    }
    const auto kind = classifier ? fts::HeadKind::SequenceClassification : fts::HeadKind::CausalLM;
    fts::LlamaForTask model(config, kind);
    tiny::randomize(*model, 42);
    model->eval();

    // Scaled rows run 40 positions of the 64: past llama3's original context (16, 32) and where a
    // frequency divided by 2 or 8 turns the rotation visibly less than the unscaled one.
    const int64_t T = scaled ? 40 : 12;
    const std::vector<int64_t> lengths = scaled ? std::vector<int64_t>{40, 23, 1} : std::vector<int64_t>{12, 7, 1};  // right padding
    auto ids = tiny::paddedIds(lengths, T, config.pad_token_id, config.vocab_size);  // [B,T]
    auto logitsOf = [&](fts::LlamaForTask& m) {
      torch::NoGradGuard noGrad;
      auto hidden = m->model->forwardEmbeds(m->model->embed(ids));  // [B,T,D]
      return classifier ? m->classLogits(hidden, torch::tensor(lengths, torch::kInt64))  // [B,C]
                        : m->lmLogits(hidden);                                         // [B,T,V]
    };
    const torch::Tensor ours = logitsOf(model);

    QTemporaryDir dir;
    const std::filesystem::path folder = dir.filePath("model").toStdString();
    fts::saveHfModelFolder(folder, model, nullptr);
    const QString out = dir.filePath("reference.safetensors");
    QProcess py;
    py.setProcessChannelMode(QProcess::MergedChannels);
    py.start(kPython, {QString(FTS_SOURCE_DIR) + "/tests/io/reference_llama.py", QString::fromStdString(folder.string()),
                       idsArgument(ids), out});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAll().constData());

    fts::SafetensorsReader reader(out.toStdString());
    auto reference = fts::tensorFromView(reader.view("logits"));  // F64
    QCOMPARE(reference.sizes().vec(), ours.sizes().vec());
    const double maxDiff = (ours.to(torch::kFloat64) - reference).abs().max().item<double>();
    const double scale = reference.abs().max().item<double>();
    qInfo("max |ours - reference| = %.3g (largest logit %.3g)", maxDiff, scale);
    QVERIFY2(scale > 0.5, "logits too small for the comparison to mean anything");
    QVERIFY2(maxDiff < 1e-4, qPrintable(QString("max abs difference %1").arg(maxDiff)));
    if (scaled) {
      // The folder says the same scaling in the same spelling, and the scaling matters: the same
      // weights without it are far from the reference.
      const auto written = nlohmann::json::parse(fts::readWholeFile(folder / "config.json"));
      const auto given = nlohmann::json::parse(ropeJson.toStdString());
      const std::string field = given.begin().key();
      QVERIFY2(written.contains(field), qPrintable(QString::fromStdString(written.dump())));
      for (auto it = given[field].begin(); it != given[field].end(); ++it)
        QVERIFY2(written[field][it.key()] == it.value(), qPrintable(QString::fromStdString(field + "." + it.key())));
      fts::LlamaForTask plain(unscaled, kind);
      tiny::randomize(*plain, 42);
      plain->eval();
      const double moved = (logitsOf(plain).to(torch::kFloat64) - reference).abs().max().item<double>();
      qInfo("without the scaling: max |ours - reference| = %.3g", moved);
      QVERIFY2(moved > 1e-2, qPrintable(QString("the scaling moved the logits by only %1").arg(moved)));
    }
  }
};

QTEST_GUILESS_MAIN(TestLlamaReference)
#include "test_llama_reference.moc"
