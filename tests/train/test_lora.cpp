// LoRA: adapters with PEFT's names, a frozen base, exact merge and unmerge, and a LoRA run end to end.
#include "core/eval/RunModel.h"
#include "core/io/HfModelFolder.h"
#include "core/model/LlamaModules.h"
#include "core/model/Lora.h"
#include "core/train/Trainer.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

namespace fs = std::filesystem;

namespace {

fts::LlamaConfig tinyConfig() {
  fts::LlamaConfig c;
  c.vocab_size = 50;
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.id2label = {"a", "b", "c"};
  return c;
}

torch::Tensor logits(fts::LlamaForTask& m, const torch::Tensor& ids) {
  torch::NoGradGuard g;
  auto h = m->model->forwardEmbeds(m->model->embed(ids));
  return m->classLogits(h, torch::full({ids.size(0)}, ids.size(1), torch::kInt64));
}

}  // namespace

class TestLora : public QObject {
  Q_OBJECT
 private slots:
  void adaptersStartNeutralWithPeftNames() {
    fts::LlamaForTask m(tinyConfig(), fts::HeadKind::SequenceClassification);
    fts::initLlamaWeights(*m, 1);
    m->eval();
    auto ids = torch::randint(4, 50, {3, 7});
    const auto before = logits(m, ids);
    fts::LoraConfig cfg;
    cfg.rank = 4;
    cfg.targets = {"q", "v", "gate", "down"};
    fts::attachLora(m, cfg, 5);
    QVERIFY(torch::allclose(logits(m, ids), before));  // B = 0
    auto params = m->named_parameters();
    QVERIFY(params.contains("model.layers.1.self_attn.q_proj.lora_A.weight"));
    QVERIFY(params.contains("model.layers.1.mlp.down_proj.lora_B.weight"));
    QVERIFY(!params.contains("model.layers.1.self_attn.k_proj.lora_A.weight"));
    QCOMPARE(params["model.layers.0.self_attn.q_proj.lora_A.weight"].sizes().vec(), (std::vector<int64_t>{4, 32}));
    QCOMPARE(params["model.layers.0.mlp.down_proj.lora_A.weight"].sizes().vec(), (std::vector<int64_t>{4, m->model->config.ffnSize()}));
    QCOMPARE(params["model.layers.0.mlp.down_proj.lora_B.weight"].sizes().vec(), (std::vector<int64_t>{32, 4}));
    for (const auto& p : params) {
      const bool adapter = p.key().find(".lora_") != std::string::npos;
      QVERIFY2(p.value().requires_grad() == (adapter || p.key() == "score.weight"), p.key().c_str());
    }
  }

  void mergeAndUnmergeAreExact() {
    fts::LlamaForTask m(tinyConfig(), fts::HeadKind::SequenceClassification);
    fts::initLlamaWeights(*m, 2);
    m->eval();
    fts::LoraConfig cfg;
    cfg.rank = 4;
    cfg.targets = {"q", "k", "v", "o", "gate", "up", "down"};
    fts::attachLora(m, cfg, 6);
    {
      torch::NoGradGuard g;
      for (auto& p : m->named_parameters())
        if (p.key().find(".lora_B.") != std::string::npos) p.value().normal_(0, 0.05);
    }
    auto ids = torch::randint(4, 50, {2, 9});
    const auto adapted = logits(m, ids);
    const auto base = m->named_parameters()["model.layers.0.self_attn.q_proj.weight"].clone();
    fts::mergeLora(m);
    QVERIFY((logits(m, ids) - adapted).abs().max().item<double>() < 1e-5);
    QVERIFY(!torch::equal(m->named_parameters()["model.layers.0.self_attn.q_proj.weight"], base));
    fts::unmergeLora(m);
    QVERIFY((m->named_parameters()["model.layers.0.self_attn.q_proj.weight"] - base).abs().max().item<double>() < 1e-6);
    QVERIFY((logits(m, ids) - adapted).abs().max().item<double>() < 1e-5);
  }

  void loraRunTrainsAdaptersOnly() {
    QTemporaryDir dir;
    fts::TrainConfig c;
    c.data.train = FTS_FIXTURES "/topics_small.csv";
    c.model.vocab_size = 600;
    c.model.hidden_size = 32;
    c.model.layers = 2;
    c.model.heads = 4;
    c.model.lora_rank = 4;
    c.model.lora_targets = "q,v,o";
    c.train.steps = 20;
    c.train.batch_size = 8;
    c.train.lr = 1e-2;
    c.train.eval_every = 10;
    c.train.threads = 1;
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"lora", dir.path().toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    bool said = false;
    for (const auto& ev : events.drain())
      if (const auto* l = std::get_if<fts::LogEvent>(&ev)) said |= l->message.rfind("LoRA: rank 4", 0) == 0;
    QVERIFY(said);
    // The hand-over folder is a plain HF model (merged), and predicts like the adapted checkpoint.
    const fs::path run = dir.path().toStdString();
    const auto merged = fts::RunModel::load(run / "model");
    fs::rename(run / "model", run / "model.away");
    const auto adapted = fts::RunModel::load(run);  // from the best checkpoint, adapters attached
    const auto a = merged.predict("a computer program crashed"), b = adapted.predict("a computer program crashed");
    QCOMPARE(a.label, b.label);
    QVERIFY(std::abs(a.scores.front().second - b.scores.front().second) < 1e-4);
  }
};

QTEST_GUILESS_MAIN(TestLora)
#include "test_lora.moc"
