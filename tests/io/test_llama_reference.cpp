// Our Llama forward pass against an independent PyTorch implementation of Hugging Face's formulas
// (tests/io/reference_llama.py, run by Debian's /usr/bin/python3 with python3-torch). The model goes
// through our safetensors writer and HF folder layout, so this also checks that what we export means
// to HF what it means to us: tensor names, layouts, RoPE convention, GQA grouping, biases, tied
// embeddings and the classifier's pooling. Random weights far from zero make every term count.
#include "TinyLlama.h"

#include "core/io/HfModelFolder.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/TorchTensors.h"

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
    QTest::newRow("Llama causal LM, GQA, q/k/v/o bias, rope_theta 5e5") << false << false << true << "llama";
    QTest::newRow("Qwen2 causal LM, GQA, q/k/v bias only") << false << false << true << "qwen2";
    QTest::newRow("causal LM, tied embeddings") << true << false << true << "llama";
    QTest::newRow("causal LM, plain multi-head, no bias") << false << false << false << "llama";
    QTest::newRow("sequence classification, last non-pad token") << false << true << true << "llama";
  }

  void logitsMatchPyTorchReference() {
    if (!pythonProblem_.isEmpty())
      QSKIP(qPrintable("PyTorch reference not run: " + pythonProblem_));
    QFETCH(bool, tied);
    QFETCH(bool, classifier);
    QFETCH(bool, gqaAndBias);
    QFETCH(QString, modelType);

    auto config = tiny::config(tied, classifier);
    config.model_type = modelType.toStdString();
    if (!gqaAndBias) {
      config.num_key_value_heads = 0;
      config.attention_bias = false;
      config.rope_theta = 10000.0;
    }
    const auto kind = classifier ? fts::HeadKind::SequenceClassification : fts::HeadKind::CausalLM;
    fts::LlamaForTask model(config, kind);
    tiny::randomize(*model, 42);
    model->eval();

    const std::vector<int64_t> lengths = {12, 7, 1};  // right padding with pad_token_id
    auto ids = tiny::paddedIds(lengths, 12, config.pad_token_id, config.vocab_size);  // [B,T]
    torch::Tensor ours;
    {
      torch::NoGradGuard noGrad;
      auto hidden = model->model->forwardEmbeds(model->model->embed(ids));  // [B,T,D]
      ours = classifier ? model->classLogits(hidden, torch::tensor(lengths, torch::kInt64))  // [B,C]
                        : model->lmLogits(hidden);                                         // [B,T,V]
    }

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
  }
};

QTEST_GUILESS_MAIN(TestLlamaReference)
#include "test_llama_reference.moc"
