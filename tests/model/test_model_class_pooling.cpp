// LlamaForTask::classLogitsFromEmbeds (the last layer computed only at the pooled token) against the
// full pass, classLogits(forwardEmbeds(...)): the same logits and the same gradient on every
// parameter and on the input embeddings, with padding, grouped-query heads and biases, in float32
// and under bf16 autocast, with LoRA adapters, and through the fallback while dropout is on.
#include "core/model/Lora.h"
#include "core/model/LlamaModules.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <QtTest>

namespace {

double relErr(const torch::Tensor& a, const torch::Tensor& b) {
  auto af = a.to(torch::kFloat64), bf = b.to(torch::kFloat64);
  return (af - bf).abs().max().item<double>() / std::max(1e-6, bf.abs().max().item<double>());
}

fts::LlamaConfig tinyConfig(double dropout) {
  fts::LlamaConfig c;
  c.vocab_size = 61;
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.num_hidden_layers = 3;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.attention_bias = true;
  c.hidden_dropout = dropout;
  c.id2label = {"a", "b", "c"};
  return c;
}

struct Outcome {
  torch::Tensor logits;
  std::map<std::string, torch::Tensor> grads;
};

// Logits and every gradient of sum(logits * weights), by the full pass or the pooled one.
Outcome run(fts::LlamaForTask& model, const torch::Tensor& ids, const torch::Tensor& lengths, bool pooled, bool bf16) {
  for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
  torch::manual_seed(11);  // the same dropout draws for both paths where dropout is on
  auto embeds = model->model->embed(ids).detach().requires_grad_(true);
  torch::Tensor logits;
  {
    if (bf16) {
      at::autocast::set_cpu_enabled(true);
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    }
    logits = pooled ? model->classLogitsFromEmbeds(embeds, lengths) : model->classLogits(model->model->forwardEmbeds(embeds), lengths);
    at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }
  auto w = torch::linspace(-1, 1, logits.numel()).view(logits.sizes());
  (logits.to(torch::kFloat32) * w).sum().backward();
  Outcome o{logits.detach().to(torch::kFloat32), {}};
  for (const auto& p : model->named_parameters())
    if (p.value().grad().defined()) o.grads[p.key()] = p.value().grad().clone();
  o.grads["<input embeddings>"] = embeds.grad().clone();
  return o;
}

}  // namespace

class TestModelClassPooling : public QObject {
  Q_OBJECT

 private slots:
  void pooledMatchesFullPass_data() {
    QTest::addColumn<bool>("bf16");
    QTest::addColumn<bool>("lora");
    QTest::addColumn<double>("dropout");
    QTest::newRow("float32") << false << false << 0.0;
    QTest::newRow("bf16 autocast") << true << false << 0.0;
    QTest::newRow("LoRA adapters (no adapter dropout)") << false << true << 0.0;
    QTest::newRow("hidden dropout while training: falls back to the full pass") << false << false << 0.1;
  }
  void pooledMatchesFullPass() {
    QFETCH(bool, bf16);
    QFETCH(bool, lora);
    QFETCH(double, dropout);
    torch::manual_seed(1);
    fts::LlamaForTask model(tinyConfig(dropout), fts::HeadKind::SequenceClassification);
    fts::initLlamaWeights(*model, 3);
    {
      torch::NoGradGuard noGrad;  // weights far from zero so every term counts
      for (auto& p : model->parameters()) p.add_(torch::randn_like(p) * 0.2);
    }
    if (lora) {
      fts::LoraConfig lc;
      lc.rank = 4;
      lc.dropout = 0.0;
      lc.targets = {"q", "k", "v", "o", "gate", "down"};
      fts::attachLora(model, lc, 5);
      torch::NoGradGuard noGrad;  // B starts at zero: move it so the adapters matter
      for (auto& p : model->named_parameters())
        if (p.key().find("lora_B") != std::string::npos) p.value().normal_(0, 0.1);
    }
    model->train();
    auto ids = torch::randint(61, {4, 9}, torch::kInt64);
    auto lengths = torch::tensor(std::vector<int64_t>{9, 5, 1, 7});  // right padding: pooled rows at 8, 4, 0, 6
    const Outcome full = run(model, ids, lengths, false, bf16);
    const Outcome pooled = run(model, ids, lengths, true, bf16);
    const double tol = bf16 ? 3e-2 : 2e-5;
    QVERIFY2(relErr(pooled.logits, full.logits) <= tol, qPrintable(QString("logits differ by %1").arg(relErr(pooled.logits, full.logits))));
    QCOMPARE(pooled.grads.size(), full.grads.size());
    QVERIFY(full.grads.size() > 10);
    for (const auto& [name, g] : full.grads) {
      auto it = pooled.grads.find(name);
      QVERIFY2(it != pooled.grads.end(), name.c_str());
      const double e = relErr(it->second, g);
      QVERIFY2(e <= tol, qPrintable(QString("%1: gradients differ by %2").arg(QString::fromStdString(name)).arg(e)));
    }
  }
};

QTEST_GUILESS_MAIN(TestModelClassPooling)
#include "test_model_class_pooling.moc"
