// The training job: data -> tokenizer -> model -> optimisation loop, reporting through events.
#include "core/data/DatasetLoader.h"
#include "core/data/Split.h"
#include "core/eval/ClassificationMetrics.h"
#include "core/model/LlamaModules.h"
#include "core/runs/RunRecorder.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/train/LrSchedule.h"
#include "core/train/Trainer.h"
#include "core/util/AtomicFile.h"
#include "core/util/Clock.h"
#include "core/util/Runtime.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <thread>

namespace fts {
namespace {

// Token ids of every sample, with its class id (classification) or -1.
struct EncodedSet {
  std::vector<std::vector<int64_t>> ids;
  std::vector<int64_t> labels;
  std::int64_t tokens = 0;
};

struct Batch {
  torch::Tensor ids;      // [B,T] int64, right-padded with pad id
  torch::Tensor lengths;  // [B]   int64, real tokens per row
  torch::Tensor targets;  // cls: [B] class ids; lm: [B,T] next-token ids, -100 where nothing to predict
  std::int64_t tokens = 0;
};

class JobFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

EncodedSet encode(const data::Dataset& ds, const std::vector<std::size_t>& rows, const SentencePieceTokenizer& tok,
                  const std::map<std::string, int>& labelIds, int maxLen) {
  EncodedSet out;
  out.ids.reserve(rows.size());
  for (std::size_t r : rows) {
    const auto& s = ds.samples[r];
    std::vector<int> body = tok.encode(s.text);
    const std::size_t room = static_cast<std::size_t>(std::max(1, maxLen - 2));
    if (body.size() > room) body.resize(room);  // truncation keeps the head
    std::vector<int64_t> ids;
    ids.reserve(body.size() + 2);
    ids.push_back(SentencePieceTokenizer::kBos);
    ids.insert(ids.end(), body.begin(), body.end());
    ids.push_back(SentencePieceTokenizer::kEos);  // classification pools here: the last real token
    out.tokens += static_cast<std::int64_t>(ids.size());
    out.ids.push_back(std::move(ids));
    out.labels.push_back(labelIds.empty() ? -1 : labelIds.at(s.label));
  }
  return out;
}

Batch makeBatch(const EncodedSet& set, const std::vector<std::size_t>& rows, bool classification, int64_t padId) {
  const int64_t B = static_cast<int64_t>(rows.size());
  int64_t T = 0;
  for (auto r : rows) T = std::max<int64_t>(T, static_cast<int64_t>(set.ids[r].size()));
  Batch b;
  b.ids = torch::full({B, T}, padId, torch::kInt64);
  b.lengths = torch::empty({B}, torch::kInt64);
  auto ids = b.ids.accessor<int64_t, 2>();
  auto len = b.lengths.accessor<int64_t, 1>();
  if (classification) {
    b.targets = torch::empty({B}, torch::kInt64);
    auto t = b.targets.accessor<int64_t, 1>();
    for (int64_t i = 0; i < B; ++i) t[i] = set.labels[rows[i]];
  } else {
    b.targets = torch::full({B, T}, -100, torch::kInt64);
  }
  for (int64_t i = 0; i < B; ++i) {
    const auto& row = set.ids[rows[i]];
    const int64_t n = static_cast<int64_t>(row.size());
    for (int64_t j = 0; j < n; ++j) ids[i][j] = row[j];
    len[i] = n;
    b.tokens += n;
    if (!classification) {
      auto t = b.targets.accessor<int64_t, 2>();
      for (int64_t j = 0; j + 1 < n; ++j) t[i][j] = row[j + 1];
    }
  }
  return b;
}

struct StepOutput {
  torch::Tensor loss;
  torch::Tensor logits;
};

StepOutput forwardLoss(LlamaForTask& model, const Batch& b) {
  auto hidden = model->model->forwardEmbeds(model->model->embed(b.ids));  // [B,T,D]
  if (model->kind == HeadKind::SequenceClassification) {
    auto logits = model->classLogits(hidden, b.lengths);                  // [B,C]
    return {torch::nn::functional::cross_entropy(logits, b.targets), logits};
  }
  auto logits = model->lmLogits(hidden);                                  // [B,T,V]
  auto loss = torch::nn::functional::cross_entropy(
      logits.reshape({-1, logits.size(-1)}), b.targets.reshape({-1}),
      torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
  return {loss, logits};
}

struct EvalResult {
  double loss = 0;
  std::vector<int> truth, predicted;
  std::int64_t tokens = 0;
};

EvalResult evaluate(LlamaForTask& model, const EncodedSet& set, int batchSize, bool classification, int64_t padId,
                    const TrainerControl& control) {
  torch::NoGradGuard noGrad;
  model->eval();
  EvalResult r;
  double lossSum = 0;
  double weightSum = 0;
  for (std::size_t start = 0; start < set.ids.size() && !control.stop; start += batchSize) {
    std::vector<std::size_t> rows;
    for (std::size_t i = start; i < std::min(set.ids.size(), start + batchSize); ++i) rows.push_back(i);
    Batch b = makeBatch(set, rows, classification, padId);
    auto out = forwardLoss(model, b);
    // Weight by what the loss averages over: samples (cls) or predicted tokens (lm).
    const double w = classification ? static_cast<double>(rows.size()) : (b.targets != -100).sum().item<double>();
    lossSum += out.loss.item<double>() * w;
    weightSum += w;
    r.tokens += b.tokens;
    if (classification) {
      auto pred = out.logits.argmax(-1);
      for (int64_t i = 0; i < pred.size(0); ++i) {
        r.predicted.push_back(static_cast<int>(pred[i].item<int64_t>()));
        r.truth.push_back(static_cast<int>(b.targets[i].item<int64_t>()));
      }
    }
  }
  model->train();
  r.loss = weightSum > 0 ? lossSum / weightSum : 0;
  return r;
}

void log(RunRecorder& events, const std::string& msg, LogEvent::Level level = LogEvent::Level::Info) {
  events.push(LogEvent{level, msg});
}

std::unique_ptr<RunStore> openStore(const std::filesystem::path& home, EventQueue& queue) {
  if (home.empty()) return nullptr;
  try {
    return std::make_unique<RunStore>(home);
  } catch (const std::exception& e) {
    queue.push(LogEvent{LogEvent::Level::Warning, std::string("run store unavailable, metrics stay in the run folder only: ") + e.what()});
    return nullptr;
  }
}

}  // namespace

TrainSummary runTrainingJob(const TrainConfig& cfg, const RunContext& run, TrainerControl& control, EventQueue& queue) {
  RunRecorder events(openStore(run.storeHome, queue), run.runId, queue);
  const std::filesystem::path& runDir = run.runDir;
  TrainSummary summary;
  summary.runId = run.runId;
  summary.runDir = runDir;
  const double t0 = monotonicSeconds();
  auto finish = [&](TrainerState state, std::string reason) {
    summary.state = state;
    summary.reason = std::move(reason);
    summary.seconds = monotonicSeconds() - t0;
    events.push(StateEvent{state, summary.reason});
    return summary;
  };
  events.push(StateEvent{TrainerState::Preparing, {}});
  try {
    const int threads = configureThreads(cfg.train.threads);
    const BlasInfo blas = probeBlas();
    log(events, "threads: " + std::to_string(threads) + ", BLAS: " + blas.name);
    if (blas.slow) log(events, blas.warning, LogEvent::Level::Warning);
    torch::manual_seed(static_cast<uint64_t>(cfg.train.seed));

    // ---- Data -------------------------------------------------------------------------------
    if (cfg.data.train.empty()) throw JobFailed("no training data: set data.train (or pass --data FILE)");
    data::LoadOptions lo;
    lo.textColumn = cfg.data.text_col;
    lo.labelColumn = cfg.data.label_col;
    const data::LoadResult loaded = data::loadDataset(cfg.data.train, lo);
    const data::Dataset& ds = loaded.dataset;
    for (const auto& note : loaded.notes) log(events, note);
    std::string task = cfg.task.empty() ? (ds.labelled() ? "cls" : "lm") : cfg.task;
    if (task != "cls" && task != "lm") throw JobFailed("task must be 'cls' or 'lm', not '" + task + "'");
    const bool classification = task == "cls";
    summary.task = task;
    if (classification && !ds.labelled())
      throw JobFailed(cfg.data.train + ": classification needs a label column; none was found");
    const std::vector<std::string> labels = classification ? ds.labels() : std::vector<std::string>{};
    if (classification && labels.size() < 2)
      throw JobFailed(cfg.data.train + ": only one class (" + labels.at(0) + "): a classifier needs at least two");
    std::map<std::string, int> labelIds;
    for (std::size_t i = 0; i < labels.size(); ++i) labelIds[labels[i]] = static_cast<int>(i);

    data::Dataset valDs;
    std::vector<std::size_t> trainRows, valRows;
    if (!cfg.data.validation.empty()) {
      valDs = data::loadDataset(cfg.data.validation, lo).dataset;
      for (const auto& s : valDs.samples)
        if (classification && !labelIds.count(s.label))
          throw JobFailed(cfg.data.validation + ":" + std::to_string(s.line) + ": label '" + s.label +
                          "' does not occur in the training data");
      trainRows.resize(ds.samples.size());
      std::iota(trainRows.begin(), trainRows.end(), 0);
      valRows.resize(valDs.samples.size());
      std::iota(valRows.begin(), valRows.end(), 0);
      log(events, "validation: " + cfg.data.validation + " (" + std::to_string(valRows.size()) + " rows)");
    } else {
      data::Split split = data::splitForValidation(ds, cfg.data.val_fraction, static_cast<uint64_t>(cfg.train.seed));
      trainRows = std::move(split.train);
      valRows = std::move(split.validation);
      log(events, split.note);
    }
    const data::Dataset& valSource = cfg.data.validation.empty() ? ds : valDs;

    // ---- Tokenizer --------------------------------------------------------------------------
    if (!cfg.model.base.empty())
      throw JobFailed("starting from a base model (" + cfg.model.base + ") is not available yet: leave model.base empty to train from scratch");
    std::vector<std::string> texts;
    texts.reserve(trainRows.size());
    for (auto r : trainRows) texts.push_back(ds.samples[r].text);
    TokenizerTrainOptions topt;
    topt.vocabSize = cfg.model.vocab_size;
    topt.threads = threads;
    log(events, "training a SentencePiece tokenizer on " + std::to_string(texts.size()) + " texts");
    SentencePieceTokenizer tokenizer = SentencePieceTokenizer::train(texts, topt, runDir / "tokenizer.model");
    log(events, "tokenizer: " + std::to_string(tokenizer.vocabSize()) + " pieces");
    if (control.stop) return finish(TrainerState::Stopped, "stopped before training began");

    const EncodedSet trainSet = encode(ds, trainRows, tokenizer, labelIds, cfg.data.max_len);
    const EncodedSet valSet = encode(valSource, valRows, tokenizer, labelIds, cfg.data.max_len);

    // ---- Model ------------------------------------------------------------------------------
    LlamaConfig mc;
    mc.vocab_size = tokenizer.vocabSize();
    mc.hidden_size = cfg.model.hidden_size;
    mc.num_hidden_layers = cfg.model.layers;
    mc.num_attention_heads = cfg.model.heads;
    mc.num_key_value_heads = cfg.model.kv_heads;
    mc.max_position_embeddings = std::max(cfg.data.max_len, 16);
    mc.hidden_dropout = cfg.model.dropout;
    mc.pad_token_id = SentencePieceTokenizer::kPad;
    mc.id2label = labels;
    mc.validate();
    LlamaForTask model(mc, classification ? HeadKind::SequenceClassification : HeadKind::CausalLM);
    initLlamaWeights(*model, static_cast<uint64_t>(cfg.train.seed));
    model->train();
    int64_t nParams = 0;
    for (const auto& p : model->parameters()) nParams += p.numel();
    log(events, model->architecture() + ": " + std::to_string(nParams) + " parameters, " + std::to_string(mc.num_hidden_layers) +
                    " layers, hidden " + std::to_string(mc.hidden_size));
    writeFileAtomically(runDir / "config.json", mc.toJson(model->architecture()));
    writeFileAtomically(runDir / "train_config.json", cfg.toJson());

    // AdamW with decoupled weight decay on matrices only, none on norms and biases.
    std::vector<torch::Tensor> decay, noDecay;
    for (const auto& p : model->named_parameters()) (p.value().dim() >= 2 ? decay : noDecay).push_back(p.value());
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(cfg.train.lr).weight_decay(cfg.train.weight_decay)));
    groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(cfg.train.lr).weight_decay(0.0)));
    torch::optim::AdamW optimizer(std::move(groups), torch::optim::AdamWOptions(cfg.train.lr));

    if (cfg.train.batch_size < 1) throw JobFailed("train.batch_size must be at least 1");
    if (!LrSchedule::validKind(cfg.train.schedule))
      throw JobFailed("train.schedule must be constant, linear or cosine, not '" + cfg.train.schedule + "'");
    const int64_t batchesPerEpoch = (static_cast<int64_t>(trainSet.ids.size()) + cfg.train.batch_size - 1) / cfg.train.batch_size;
    const int64_t totalSteps = cfg.train.steps > 0 ? cfg.train.steps : std::max<int64_t>(1, batchesPerEpoch * cfg.train.epochs);
    const LrSchedule schedule{cfg.train.schedule, cfg.train.lr, cfg.train.warmup_steps, totalSteps};
    log(events, "training " + std::to_string(trainSet.ids.size()) + " samples, " + std::to_string(totalSteps) + " steps of " +
                    std::to_string(cfg.train.batch_size));

    // ---- Loop -------------------------------------------------------------------------------
    events.push(StateEvent{TrainerState::Running, {}});
    const double loopStart = monotonicSeconds();
    int64_t step = 0, tokensSeen = 0;
    double lastValLoss = NAN;
    auto runEval = [&](double epoch) {
      if (valSet.ids.empty()) return;
      const EvalResult ev = evaluate(model, valSet, cfg.train.batch_size * 2, classification, mc.pad_token_id, control);
      if (control.stop) return;
      const double wall = monotonicSeconds() - loopStart;
      lastValLoss = ev.loss;
      events.push(MetricEvent{"val/loss", step, epoch, tokensSeen, wall, ev.loss});
      if (classification) {
        const auto rep = classificationReport(ev.truth, ev.predicted, static_cast<int>(labels.size()));
        events.push(MetricEvent{"val/accuracy", step, epoch, tokensSeen, wall, rep.accuracy});
        events.push(MetricEvent{"val/macro_f1", step, epoch, tokensSeen, wall, rep.macroF1});
        summary.metrics["accuracy"] = rep.accuracy;
        summary.metrics["macro_f1"] = rep.macroF1;
        summary.metrics["weighted_f1"] = rep.weightedF1;
      } else {
        events.push(MetricEvent{"val/perplexity", step, epoch, tokensSeen, wall, std::exp(ev.loss)});
        summary.metrics["perplexity"] = std::exp(ev.loss);
      }
      summary.metrics["val_loss"] = ev.loss;
    };

    std::mt19937_64 shuffler(static_cast<uint64_t>(cfg.train.seed));
    std::vector<std::size_t> order(trainSet.ids.size());
    double emaStep = 0;  // smoothed seconds per step, for the ETA
    bool stopped = false;
    for (int64_t epochIdx = 0; step < totalSteps && !stopped; ++epochIdx) {
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), shuffler);
      for (int64_t bi = 0; bi < batchesPerEpoch && step < totalSteps; ++bi) {
        while (control.pause && !control.stop) {
          events.push(StateEvent{TrainerState::Paused, {}});
          while (control.pause && !control.stop) std::this_thread::sleep_for(std::chrono::milliseconds(20));
          if (!control.stop) events.push(StateEvent{TrainerState::Running, {}});
        }
        if (control.stop) {
          stopped = true;
          break;
        }
        const double stepStart = monotonicSeconds();
        std::vector<std::size_t> rows(order.begin() + bi * cfg.train.batch_size,
                                      order.begin() + std::min<int64_t>((bi + 1) * cfg.train.batch_size, static_cast<int64_t>(order.size())));
        const Batch b = makeBatch(trainSet, rows, classification, mc.pad_token_id);
        const double lr = schedule.at(static_cast<long>(step));
        for (auto& g : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
        optimizer.zero_grad();
        auto out = forwardLoss(model, b);
        const double lossValue = out.loss.item<double>();
        if (!std::isfinite(lossValue))
          throw JobFailed("the loss became " + std::string(std::isnan(lossValue) ? "NaN" : "infinite") + " at step " +
                          std::to_string(step + 1) + ": the learning rate (" + std::to_string(lr) +
                          ") is probably too high; lower train.lr or raise train.warmup_steps");
        out.loss.backward();
        const double gradNorm = torch::nn::utils::clip_grad_norm_(model->parameters(), cfg.train.grad_clip > 0 ? cfg.train.grad_clip : 1e30);
        optimizer.step();
        ++step;
        tokensSeen += b.tokens;
        const double now = monotonicSeconds();
        const double stepSeconds = now - stepStart;
        emaStep = emaStep == 0 ? stepSeconds : 0.9 * emaStep + 0.1 * stepSeconds;
        const double epoch = static_cast<double>(epochIdx) + static_cast<double>(bi + 1) / static_cast<double>(batchesPerEpoch);
        const double wall = now - loopStart;
        events.push(MetricEvent{"train/loss", step, epoch, tokensSeen, wall, lossValue});
        events.push(MetricEvent{"train/lr", step, epoch, tokensSeen, wall, lr});
        events.push(MetricEvent{"train/grad_norm", step, epoch, tokensSeen, wall, gradNorm});
        events.push(ProgressEvent{step, totalSteps, epoch, tokensSeen, wall, emaStep * static_cast<double>(totalSteps - step),
                                  wall > 0 ? static_cast<double>(tokensSeen) / wall : 0});
        summary.metrics["train_loss"] = lossValue;
        if (cfg.train.eval_every > 0 && step % cfg.train.eval_every == 0 && step < totalSteps) runEval(epoch);
      }
      if (!stopped) runEval(static_cast<double>(epochIdx + 1));
    }
    summary.steps = step;
    summary.tokens = tokensSeen;
    if (stopped && std::isnan(lastValLoss) && !control.stop) runEval(0);

    nlohmann::ordered_json metrics(summary.metrics);
    writeFileAtomically(runDir / "metrics.json", metrics.dump(2) + "\n");
    if (RunStore* store = events.store()) {
      try {
        events.flush();
        store->setFinalMetrics(run.runId, summary.metrics);
      } catch (const std::exception& e) {
        log(events, std::string("run store: final metrics not recorded: ") + e.what(), LogEvent::Level::Warning);
      }
    }
    if (stopped) return finish(TrainerState::Stopped, "stopped by the user at step " + std::to_string(step));
    return finish(TrainerState::Finished, {});
  } catch (const data::DataError& e) {
    log(events, e.what(), LogEvent::Level::Error);
    return finish(TrainerState::Failed, e.what());
  } catch (const std::exception& e) {
    log(events, e.what(), LogEvent::Level::Error);
    return finish(TrainerState::Failed, e.what());
  }
}

}  // namespace fts
