// The trainer on a BERT encoder, through the same loop as the decoders (core/model/TaskModel): a
// tiny random encoder folder with a WordPiece tokenizer.json is fine-tuned as a classifier (full,
// frozen lower layers, LoRA), stopped and resumed exactly, reloaded for predict and eval; a causal LM
// on an encoder is refused with the reason.
#include "core/eval/RunModel.h"
#include "core/export/ExportSource.h"
#include "core/export/Exporter.h"
#include "core/io/BertHfFolder.h"
#include "core/model/BertModules.h"
#include "core/train/Checkpoint.h"
#include "core/train/MaskedLm.h"
#include "core/text/Tokenizer.h"
#include "core/train/ModelSetup.h"
#include "core/train/Trainer.h"
#include "core/util/AtomicFile.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <map>

namespace fs = std::filesystem;

namespace {

// A sentence-transformers-like folder: a bare BertModel (no "bert." prefix, no head) sized to the
// WordPiece fixture's vocabulary, its tokenizer.json, and 1_Pooling/config.json asking for mean pooling.
fs::path writeEncoderFolder(const fs::path& folder) {
  const fs::path tokenizer = FTS_FIXTURES "/tokenizers/wordpiece/tokenizer.json";
  fts::BertConfig c;
  c.vocab_size = 577;
  c.hidden_size = 32;
  c.num_hidden_layers = 3;
  c.num_attention_heads = 4;
  c.intermediate_size = 64;
  c.max_position_embeddings = 64;
  c.hidden_dropout_prob = 0.1;  // dropout draws from the RNG: resume must restore it too
  fts::BertModel bert(c, /*addPooler=*/true);
  fts::initBertWeights(*bert, c.pad_token_id, 7);
  fts::saveBertHfFolder(folder, bert, {}, {tokenizer});
  fs::create_directories(folder / "1_Pooling");
  fts::writeFileAtomically(folder / "1_Pooling" / "config.json", "{\"word_embedding_dimension\": 32, \"pooling_mode_mean_tokens\": true}\n");
  return folder;
}

fts::TrainConfig encoderConfig(const fs::path& base) {
  fts::TrainConfig c;
  c.data.train = FTS_FIXTURES "/topics_small.csv";
  c.data.max_len = 48;
  c.model.base = base.string();
  c.train.batch_size = 8;
  c.train.lr = 1e-3;
  c.train.eval_every = 0;
  c.train.threads = 1;
  c.train.deterministic = true;
  return c;
}

std::map<std::int64_t, double> trainLosses(const std::vector<fts::TrainerEvent>& events, std::vector<std::string>* logs = nullptr) {
  std::map<std::int64_t, double> out;
  for (const auto& ev : events) {
    if (const auto* m = std::get_if<fts::MetricEvent>(&ev))
      if (m->name == "train/loss") out[m->step] = m->value;
    if (const auto* l = std::get_if<fts::LogEvent>(&ev); l && logs) logs->push_back(l->message);
  }
  return out;
}

bool anyContains(const std::vector<std::string>& lines, const std::string& needle) {
  for (const auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

class TestEncoderTraining : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path base_;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    base_ = writeEncoderFolder(fs::path(dir_.path().toStdString()) / "encoder");
  }

  void fineTunesAnEncoderAndReloadsIt() {
    fts::TrainConfig c = encoderConfig(base_);
    c.train.steps = 60;  // about 4 epochs
    c.train.lr = 3e-3;
    QTemporaryDir run;
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"enc", run.path().toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    std::vector<std::string> logs;
    const auto losses = trainLosses(events.drain(), &logs);
    QCOMPARE(losses.size(), size_t{60});
    QVERIFY2(anyContains(logs, "classifier pooling: mean"), "a sentence-transformers folder pools by the mean");
    QVERIFY(anyContains(logs, "BertForSequenceClassification"));
    // It learns: the last steps' loss is below the first steps' (3 classes: ln 3 = 1.10 at the start).
    const double first = (losses.at(1) + losses.at(2) + losses.at(3)) / 3, last = (losses.at(58) + losses.at(59) + losses.at(60)) / 3;
    QVERIFY2(last < first, qPrintable(QString("first %1, last %2").arg(first).arg(last)));

    // The hand-over folder is a BertForSequenceClassification with the tokenizer; predict and eval use it.
    const fs::path model = fs::path(run.path().toStdString()) / "model";
    QVERIFY(fs::exists(model / "tokenizer.json"));
    const auto reloaded = fts::loadTaskModel(model);
    QCOMPARE(reloaded->architecture(), std::string("BertForSequenceClassification"));
    QCOMPARE(reloaded->labels().size(), size_t{3});
    const fts::RunModel rm = fts::RunModel::load(run.path().toStdString());
    QVERIFY(rm.isClassifier());
    const auto p = rm.predict("The compiler crashed again.");
    QVERIFY(!p.label.empty());
    QCOMPARE(p.scores.size(), size_t{3});
    fts::data::LoadOptions lo;
    const auto ev = rm.evaluate(FTS_FIXTURES "/topics_small.csv", lo, 48);
    QCOMPARE(ev.samples, std::int64_t{120});
    // The exporter writes encoders as Hugging Face folders (tests/export/test_encoder_export.cpp), not as GGUF.
    const auto info = fts::inspectExportSource(run.path().toStdString());
    QCOMPARE(info.modelType, std::string("bert"));
    QVERIFY(fts::exportFormatUnavailable(info, fts::ExportFormat::HuggingFace).empty());
    const std::string why = fts::exportFormatUnavailable(info, fts::ExportFormat::Gguf);
    QVERIFY2(why.find("BERT encoder") != std::string::npos && why.find("--format hf") != std::string::npos, why.c_str());
    // Better than chance (1/3) on data it trained on.
    QVERIFY2(ev.metrics.at("accuracy") > 0.5, qPrintable(QString("accuracy %1, loss first %2 last %3").arg(ev.metrics.at("accuracy")).arg(first).arg(last)));
  }

  void resumedEncoderRunRepeatsTheSameLosses() {
    const int total = 24;  // crosses an epoch boundary (14 batches of 8 per epoch)
    fts::TrainConfig c = encoderConfig(base_);
    c.train.steps = total;
    QTemporaryDir full;
    fts::TrainerControl control;
    fts::EventQueue fullEvents;
    auto s = fts::runTrainingJob(c, {"full", full.path().toStdString(), {}}, control, fullEvents);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    const auto reference = trainLosses(fullEvents.drain());

    QTemporaryDir part;
    fts::Trainer first(c, {"part", part.path().toStdString(), {}});
    first.start();
    std::int64_t seen = 0;
    while (seen < 9 && first.isRunning())
      for (const auto& ev : first.events().waitAndDrain(50))
        if (const auto* pe = std::get_if<fts::ProgressEvent>(&ev)) seen = pe->step;
    first.requestStop();
    first.join();
    const auto stopped = first.summary();
    QCOMPARE(stopped.state, fts::TrainerState::Stopped);
    QVERIFY(stopped.steps < total);

    fts::TrainerControl control2;
    fts::EventQueue resumedEvents;
    auto r = fts::runTrainingJob(c, {"part", part.path().toStdString(), {}, /*resume=*/true}, control2, resumedEvents);
    QVERIFY2(r.state == fts::TrainerState::Finished, r.reason.c_str());
    const auto resumed = trainLosses(resumedEvents.drain());
    QCOMPARE(resumed.size(), size_t(total - stopped.steps));
    for (const auto& [step, loss] : resumed)
      QVERIFY2(std::abs(loss - reference.at(step)) < 1e-5,
               qPrintable(QString("step %1: resumed %2, uninterrupted %3").arg(step).arg(loss, 0, 'g', 9).arg(reference.at(step), 0, 'g', 9)));
  }

  void frozenLayersAndLoraTrainOnlyWhatTheySay() {
    // Frozen: the embeddings and the first 2 of 3 layers keep their base values.
    fts::TrainConfig c = encoderConfig(base_);
    c.train.steps = 4;
    c.model.freeze_embeddings = true;
    c.model.freeze_layers = 2;
    QTemporaryDir run;
    fts::TrainerControl control;
    fts::EventQueue events;
    auto s = fts::runTrainingJob(c, {"frozen", run.path().toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    const auto trained = fts::loadTaskModel(fs::path(run.path().toStdString()) / "model");
    fts::BertModel bare(fts::loadBertHfConfig(base_), true);
    fts::loadBertHfWeights(bare, fts::findHfModelFiles(base_));
    std::map<std::string, torch::Tensor> before;
    for (const auto& p : bare->named_parameters()) before["bert." + p.key()] = p.value();
    int same = 0, moved = 0;
    for (const auto& p : trained->module().named_parameters()) {
      const auto it = before.find(p.key());
      if (it == before.end()) continue;
      const bool lowLayer = p.key().rfind("bert.embeddings.", 0) == 0 || p.key().rfind("bert.encoder.layer.0.", 0) == 0 ||
                            p.key().rfind("bert.encoder.layer.1.", 0) == 0;
      const bool equal = torch::equal(p.value(), it->second);
      if (lowLayer) {
        QVERIFY2(equal, p.key().c_str());
        ++same;
      } else if (!equal) {
        ++moved;
      }
    }
    QVERIFY(same > 0);
    QVERIFY(moved > 0);  // the top layer trained

    // LoRA: only adapters and the classifier train; the run hands over merged weights.
    fts::TrainConfig l = encoderConfig(base_);
    l.train.steps = 4;
    l.model.lora_rank = 4;
    l.model.lora_targets = "q,v,up,down";
    QTemporaryDir lrun;
    fts::EventQueue levents;
    auto ls = fts::runTrainingJob(l, {"lora", lrun.path().toStdString(), {}}, control, levents);
    QVERIFY2(ls.state == fts::TrainerState::Finished, ls.reason.c_str());
    std::vector<std::string> logs;
    trainLosses(levents.drain(), &logs);
    QVERIFY(anyContains(logs, "LoRA: rank 4"));
    const auto merged = fts::loadTaskModel(fs::path(lrun.path().toStdString()) / "model");
    for (const auto& p : merged->module().named_parameters()) QVERIFY2(p.key().find("lora_") == std::string::npos, p.key().c_str());
  }

  void masksFollowBertsRecipe() {
    const auto tok = fts::loadTokenizer(base_);
    const fts::MlmMasking m = fts::mlmMaskingFor(*tok, 577);
    QCOMPARE(m.maskId, static_cast<int64_t>(tok->pieceId("[MASK]")));
    // 64 rows of 40 tokens: [CLS] 38 ordinary ids [SEP], then 8 pads on the last rows.
    const int64_t B = 64, T = 48;
    fts::TensorBatch b;
    b.ids = torch::full({B, T}, 0, torch::kInt64);
    b.lengths = torch::full({B}, 40, torch::kInt64);
    for (int64_t i = 0; i < B; ++i) {
      b.ids[i][0] = tok->bosId();
      for (int64_t j = 1; j < 39; ++j) b.ids[i][j] = 100 + (i * 7 + j) % 400;
      b.ids[i][39] = tok->eosId();
    }
    std::vector<size_t> keys(static_cast<size_t>(B));
    for (size_t i = 0; i < keys.size(); ++i) keys[i] = i;
    const auto a = fts::maskBatch(b, keys, m, 11), again = fts::maskBatch(b, keys, m, 11), other = fts::maskBatch(b, keys, m, 12);
    QVERIFY(torch::equal(a.ids, again.ids) && torch::equal(a.targets, again.targets));  // a pure function of the seed
    QVERIFY(!torch::equal(a.targets, other.targets));
    const auto chosen = a.targets.ne(-100);
    const double share = chosen.sum().item<double>() / static_cast<double>(B * 38);
    QVERIFY2(share > 0.12 && share < 0.18, qPrintable(QString::number(share)));
    QCOMPARE(a.predicted, chosen.sum().item<int64_t>());
    // Never a special token or padding; the targets are the original ids.
    QVERIFY(!chosen.index({torch::indexing::Slice(), 0}).any().item<bool>());
    QVERIFY(!chosen.index({torch::indexing::Slice(), 39}).any().item<bool>());
    QVERIFY(!chosen.index({torch::indexing::Slice(), torch::indexing::Slice(40)}).any().item<bool>());
    QVERIFY(torch::equal(a.targets.masked_select(chosen), b.ids.masked_select(chosen)));
    // About 80% of the chosen positions read [MASK].
    const double masked = a.ids.masked_select(chosen).eq(m.maskId).sum().item<double>() / chosen.sum().item<double>();
    QVERIFY2(masked > 0.7 && masked < 0.9, qPrintable(QString::number(masked)));
  }

  void continuesPretrainingWithTheMaskedLmObjective() {
    fts::TrainConfig c = encoderConfig(base_);
    c.task = "mlm";
    c.data.train = FTS_FIXTURES "/topics_small.csv";  // its texts; the labels are not used
    c.data.text_col = "text";
    c.train.steps = 40;
    c.train.lr = 3e-3;
    QTemporaryDir run;
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"mlm", run.path().toStdString(), {}}, control, events);
    QVERIFY2(s.state == fts::TrainerState::Finished, s.reason.c_str());
    std::vector<std::string> logs;
    const auto losses = trainLosses(events.drain(), &logs);
    QVERIFY(anyContains(logs, "masked LM: 15%"));
    const double first = (losses.at(1) + losses.at(2) + losses.at(3)) / 3, last = (losses.at(38) + losses.at(39) + losses.at(40)) / 3;
    QVERIFY2(last < first - 0.5, qPrintable(QString("first %1, last %2").arg(first).arg(last)));
    const auto model = fts::loadTaskModel(fs::path(run.path().toStdString()) / "model");
    QCOMPARE(model->architecture(), std::string("BertForMaskedLM"));
    // A decoder is no masked LM, and masked-LM training starts from an encoder.
    fts::TrainConfig scratch = c;
    scratch.model.base.clear();
    QTemporaryDir run2;
    const auto r = fts::runTrainingJob(scratch, {"mlm2", run2.path().toStdString(), {}}, control, events);
    QCOMPARE(r.state, fts::TrainerState::Failed);
    QVERIFY2(r.reason.find("--model DIR") != std::string::npos, r.reason.c_str());
  }

  void anEncoderIsNoCausalLanguageModel() {
    fts::TrainConfig c = encoderConfig(base_);
    c.task = "lm";
    c.train.steps = 2;
    QTemporaryDir run;
    fts::TrainerControl control;
    fts::EventQueue events;
    const auto s = fts::runTrainingJob(c, {"lm", run.path().toStdString(), {}}, control, events);
    QCOMPARE(s.state, fts::TrainerState::Failed);
    QVERIFY2(s.reason.find("BERT encoder") != std::string::npos && s.reason.find("causal language model") != std::string::npos,
             s.reason.c_str());
  }
};

QTEST_GUILESS_MAIN(TestEncoderTraining)
#include "test_encoder_training.moc"
