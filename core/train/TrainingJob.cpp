// The training job: data -> tokenizer -> model -> optimisation loop -> hand-over, reporting through
// events. The pieces live beside it: RunData (files, labels, split), SampleEncoding (texts to framed
// token sequences), data::Batcher (order, padding, position), ModelSetup (model and tokenizer),
// TaskLoss, Evaluation, Preflight, Checkpoint.
#include "core/data/Batcher.h"
#include "core/data/SeededShuffle.h"
#include "core/eval/ClassificationMetrics.h"
#include "core/io/HfModelFolder.h"
#include "core/model/LlamaModules.h"
#include "core/runs/RunRecorder.h"
#include "core/train/BaselineJob.h"
#include "core/train/Checkpoint.h"
#include "core/train/EarlyStopping.h"
#include "core/train/Evaluation.h"
#include "core/train/LoraSettings.h"
#include "core/train/LrSchedule.h"
#include "core/train/MaskedLm.h"
#include "core/train/ModelSetup.h"
#include "core/train/Optimizers.h"
#include "core/train/Preflight.h"
#include "core/train/RunData.h"
#include "core/train/RunReporting.h"
#include "core/train/SampleEncoding.h"
#include "core/train/TaskLoss.h"
#include "core/train/TensorBatch.h"
#include "core/train/TrainingAugmentation.h"
#include "core/train/Trainer.h"
#include "core/util/AtomicFile.h"
#include "core/util/Clock.h"
#include "core/util/OpenMpWaitPolicy.h"
#include "core/util/Runtime.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <chrono>
#include <numeric>
#include <optional>
#include <cmath>
#include <thread>

namespace fts {
namespace {

class Diverged : public JobFailed {
 public:
  using JobFailed::JobFailed;
};

void log(RunRecorder& events, const std::string& msg, LogEvent::Level level = LogEvent::Level::Info) { logLine(events, msg, level); }

void validateSettings(const TrainConfig& cfg) {
  if (cfg.model.type != "llama") throw JobFailed("model.type must be llama, bow or majority, not '" + cfg.model.type + "'");
  if (cfg.train.batch_size < 1) throw JobFailed("train.batch_size must be at least 1");
  if (cfg.train.grad_accum < 1) throw JobFailed("train.grad_accum must be at least 1");
  if (cfg.data.max_len < 3) throw JobFailed("data.max_len must be at least 3 (BOS, one token, EOS)");
  data::Truncation truncation;
  if (!data::parseTruncation(cfg.data.truncation, truncation))
    throw JobFailed("data.truncation must be head, tail or head+tail, not '" + cfg.data.truncation + "'");
  if (!LrSchedule::validKind(cfg.train.schedule))
    throw JobFailed("train.schedule must be constant, linear or cosine, not '" + cfg.train.schedule + "'");
  if (cfg.train.optimizer != "adamw" && cfg.train.optimizer != "sgd")
    throw JobFailed("train.optimizer must be adamw or sgd, not '" + cfg.train.optimizer + "'");
  if (cfg.train.class_weights != "none" && cfg.train.class_weights != "balanced")
    throw JobFailed("train.class_weights must be none or balanced, not '" + cfg.train.class_weights + "'");
  if (cfg.train.label_smoothing < 0 || cfg.train.label_smoothing >= 1) throw JobFailed("train.label_smoothing must be in [0, 1)");
  if (!EarlyStopping::known(cfg.train.early_stopping_metric))
    throw JobFailed("train.early_stopping_metric must be val_loss, perplexity, accuracy, macro_f1 or weighted_f1, not '" +
                    cfg.train.early_stopping_metric + "'");
  if (cfg.task == "mlm" && cfg.model.base.empty())
    throw JobFailed("task mlm continues the pretraining of an encoder: give a BERT-family model folder (--model DIR)");
  if (cfg.model.freeze_layers < 0) throw JobFailed("model.freeze_layers must not be negative");
  if (cfg.model.lora_rank < 0) throw JobFailed("model.lora_rank must not be negative (0 turns LoRA off)");
  if (cfg.model.lora_rank > 0) {
    try {
      loraConfigOf(cfg).validate();
    } catch (const std::invalid_argument& e) {
      throw JobFailed(e.what());
    }
  }
}

EncodingOptions encodingOptions(const TrainConfig& cfg, const Tokenizer& tok, int threads) {
  EncodingOptions o;
  o.maxLen = cfg.data.max_len;
  data::parseTruncation(cfg.data.truncation, o.truncation);
  o.bos = tok.bosId() >= 0 ? tok.bosId() : SentencePieceTokenizer::kBos;
  o.eos = tok.eosId() >= 0 ? tok.eosId() : SentencePieceTokenizer::kEos;
  o.threads = threads;
  // An instruction-tuned decoder learns prompt -> response pairs in the chat format it was tuned on;
  // its end-of-turn token closes the reply.
  o.chat = detectChatFormat(tok.chatTemplate());
  if (const int end = chatEndOfTurnId(o.chat, tok); end >= 0) o.eos = end;
  return o;
}

EncodedSet encodeForRun(const TrainConfig& cfg, const data::Dataset& ds, const std::vector<std::size_t>& rows,
                        const Tokenizer& tok, const std::map<std::string, int>& labelIds, int threads) {
  const EncodingOptions o = encodingOptions(cfg, tok, threads);
  return cfg.data.pack ? packSamples(ds, rows, tok, o) : encodeSamples(ds, rows, tok, labelIds, o);
}

// The texts a fresh tokenizer learns from: the training rows (prompts and responses of pairs).
std::vector<std::string> tokenizerTexts(const data::Dataset& ds, const std::vector<std::size_t>& rows) {
  std::vector<std::string> texts;
  texts.reserve(rows.size());
  for (auto r : rows) {
    texts.push_back(ds.samples[r].text);
    if (!ds.samples[r].response.empty()) texts.push_back(ds.samples[r].response);
  }
  return texts;
}

LossOptions makeLossOptions(const TrainConfig& cfg, const EncodedSet& train, int numClasses, bool classification) {
  LossOptions o;
  o.labelSmoothing = cfg.train.label_smoothing;
  if (classification && cfg.train.class_weights == "balanced") {
    // Inverse frequency, normalised so a balanced set gets weight 1 everywhere: n / (C * count_c).
    std::vector<double> counts(static_cast<size_t>(numClasses), 0);
    for (auto l : train.labels) counts[static_cast<size_t>(l)] += 1;
    std::vector<float> w(counts.size());
    for (size_t c = 0; c < counts.size(); ++c)
      w[c] = counts[c] > 0 ? static_cast<float>(static_cast<double>(train.labels.size()) / (numClasses * counts[c])) : 0.0f;
    o.classWeights = torch::tensor(w);
  }
  return o;
}

}  // namespace

TrainSummary runTrainingJob(const TrainConfig& cfg, const RunContext& run, TrainerControl& control, EventQueue& queue) {
  if (isBaselineRun(cfg)) return runBaselineJob(cfg, run, control, queue);
  RunRecorder events(openRunStore(run.storeHome, queue), run.runId, queue, run.runDir);
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
    log(events, "threads: " + std::to_string(threads) + ", BLAS: " + blas.name + ", OpenMP waiting: " + openMpWaitPolicy());
    if (blas.slow) log(events, blas.warning, LogEvent::Level::Warning);
    if (cfg.train.deterministic) at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
    torch::manual_seed(static_cast<uint64_t>(cfg.train.seed));
    validateSettings(cfg);

    // ---- Data -------------------------------------------------------------------------------
    const RunData rd = loadRunData(cfg, runDir, run.resume, events);
    const bool classification = rd.classification();
    summary.task = rd.task;
    if (events.store()) {
      events.store()->setDatasetFingerprint(run.runId, rd.fingerprint);
      events.store()->setTask(run.runId, rd.task);
    }

    // ---- Tokenizer and model ---------------------------------------------------------------
    ModelSetup setup = run.resume ? modelForResume(runDir, classification)
                       : cfg.model.base.empty()
                           ? modelFromScratch(cfg, tokenizerTexts(rd.train, rd.trainRows), rd.labels, threads, runDir, events)
                           : modelFromBase(cfg, rd.labels, classification, runDir, events);
    TaskModel& model = *setup.model;  // a decoder or an encoder: the loop never asks which
    const ModelShape shape = model.shape();
    if (cfg.model.lora_rank > 0) {
      const LoraConfig lora = loraConfigOf(cfg);
      model.attachLora(lora, static_cast<uint64_t>(cfg.train.seed) + 1);
      log(events, "LoRA: rank " + std::to_string(lora.rank) + ", alpha " + std::to_string(lora.alpha).substr(0, 5) + " on " +
                      cfg.model.lora_targets + "; base weights frozen");
    }
    if (control.stop) return finish(TrainerState::Stopped, "stopped before training began");
    // Masked LM: which tokens may be masked, and the [MASK] id (an encoder's tokenizer has one).
    std::optional<MlmMasking> masking;
    if (rd.task == "mlm") {
      if (model.head() != TaskHead::MaskedLM) throw JobFailed("task mlm needs a BERT-family encoder as model.base (--model DIR)");
      try {
        masking = mlmMaskingFor(*setup.tokenizer, shape.vocab);
      } catch (const std::invalid_argument& e) {
        throw JobFailed(e.what());
      }
      log(events, "masked LM: 15% of the tokens of each text, 80% [MASK] / 10% random / 10% kept, new masks every step");
    }
    const MlmMasking* mlm = masking ? &*masking : nullptr;
    // Augmentation (augment.*): the training rows with their variants, epoch 0's here; an online run
    // draws each later epoch's variants when that epoch starts (encodeTrain(epoch)).
    std::optional<TrainingAugmentation> augmentation;
    try {
      augmentation = TrainingAugmentation::fromConfig(cfg);
    } catch (const std::exception& e) {
      throw JobFailed(e.what());
    }
    if (augmentation && cfg.data.pack) throw JobFailed("augment.mode and data.pack do not go together: packing joins texts into blocks");
    auto encodeTrain = [&](std::int64_t epoch) {
      if (!augmentation) return encodeForRun(cfg, rd.train, rd.trainRows, *setup.tokenizer, rd.labelIds, threads);
      const data::Dataset expanded = augmentation->expand(rd.train, rd.trainRows, epoch);
      std::vector<std::size_t> rows(expanded.samples.size());
      std::iota(rows.begin(), rows.end(), std::size_t{0});
      return encodeForRun(cfg, expanded, rows, *setup.tokenizer, rd.labelIds, threads);
    };
    const EncodedSet trainSet = encodeTrain(0);
    if (augmentation)
      log(events, "augmentation " + augmentation->describe() + ": " + std::to_string(trainSet.size()) + " training samples per epoch (" +
                      std::to_string(rd.trainRows.size()) + " rows and their variants)");
    const EncodedSet valSet = encodeForRun(cfg, rd.validationSource(), rd.valRows, *setup.tokenizer, rd.labelIds, threads);
    if (trainSet.size() == 0) throw JobFailed(cfg.data.train + ": no training sequence left after encoding");
    if (rd.train.paired()) {
      const std::string tmpl = setup.tokenizer->chatTemplate();
      if (detectChatFormat(tmpl) != ChatFormat::None)
        log(events, "prompt -> response pairs in the tokenizer's chat format: " + chatFormatName(detectChatFormat(tmpl)));
      else if (chatTemplateUnknown(tmpl))
        log(events, "the tokenizer's chat template is neither ChatML nor Llama 3's: prompts are used as they are, without it",
            LogEvent::Level::Warning);
    }
    if (cfg.data.pack)
      log(events, "packed " + std::to_string(rd.trainRows.size()) + " texts into " + std::to_string(trainSet.size()) + " blocks of " +
                      std::to_string(cfg.data.max_len) + " tokens (" + std::to_string(trainSet.tokens) + " tokens)");
    else if (trainSet.truncated > 0)
      log(events, std::to_string(trainSet.truncated) + " of " + std::to_string(trainSet.size()) + " training texts are longer than data.max_len " +
                      std::to_string(cfg.data.max_len) + " tokens and were cut (data.truncation: " + cfg.data.truncation + ")");
    const std::vector<NamedParam> trainable = trainableParams(model, cfg, events);
    int64_t nParams = 0, nTrainable = 0;
    for (const auto& p : model.module().parameters()) nParams += p.numel();
    for (const auto& p : trainable) nTrainable += p.tensor.numel();
    log(events, model.architecture() + ": " + std::to_string(nParams) + " parameters (" + std::to_string(nTrainable) +
                    " trained), " + std::to_string(shape.layers) + " layers, hidden " + std::to_string(shape.hidden));
    if (!run.resume) {
      writeFileAtomically(runDir / "config.json", model.configJson());
      writeFileAtomically(runDir / "train_config.json", cfg.toJson());
    }
    std::unique_ptr<ParamOptimizer> optimizer =
        cfg.train.optimizer == "sgd" ? makeSgd(trainable, SgdSettings{cfg.train.momentum, cfg.train.weight_decay})
                                     : makeAdamW(trainable, AdamWSettings{0.9, 0.999, 1e-8, cfg.train.weight_decay});
    const LossOptions lossOptions = makeLossOptions(cfg, trainSet, static_cast<int>(rd.labels.size()), classification);
    const bool bf16 = cfg.train.bf16 && cpuHasNativeBf16();
    if (cfg.train.bf16 && !bf16) log(events, "bf16 requested, but this CPU has no native bf16: training in fp32", LogEvent::Level::Warning);
    reportMemory(estimateMemory(model, trainable, cfg, static_cast<double>(trainSet.tokens) / static_cast<double>(trainSet.size())), events);

    data::BatchOptions bo;
    bo.batchSize = static_cast<std::size_t>(cfg.train.batch_size);
    bo.maxLen = static_cast<std::size_t>(cfg.data.max_len);
    bo.padId = shape.padId;
    bo.bucketByLength = cfg.data.bucket_by_length && !cfg.data.pack;  // packed blocks are all of one length
    bo.seed = static_cast<std::uint64_t>(cfg.train.seed);
    data::Batcher batcher(trainSet.ids, bo);  // sequences are framed already (no BOS/EOS added here)
    const int64_t batchesPerEpoch = static_cast<int64_t>(batcher.batchesPerEpoch());
    const int64_t stepsPerEpoch = (batchesPerEpoch + cfg.train.grad_accum - 1) / cfg.train.grad_accum;
    const int64_t totalSteps = cfg.train.steps > 0 ? cfg.train.steps : std::max<int64_t>(1, stepsPerEpoch * cfg.train.epochs);
    const LrSchedule schedule{cfg.train.schedule, cfg.train.lr, cfg.train.warmup_steps, totalSteps};
    EarlyStopping stopping(cfg.train.early_stopping_metric, cfg.train.early_stopping_patience, cfg.train.early_stopping_min_delta);

    CheckpointState st;
    if (run.resume) {
      const auto ckpt = latestCheckpoint(runDir);
      if (!ckpt) throw JobFailed(runDir.string() + ": no checkpoint to resume from");
      st = loadCheckpoint(*ckpt, model.module(), optimizer.get());
      if (st.dataPosition.empty())
        throw JobFailed(ckpt->string() + ": written by an older ftstudio without the data position; it cannot continue exactly. "
                        "Its weights still work for eval, predict and export; start a new run to train further");
      try {
        batcher.restore(data::batchPositionFromJson(st.dataPosition));
      } catch (const std::invalid_argument& e) {
        throw JobFailed(ckpt->string() + ": " + e.what() + " (the training data or its settings changed since the checkpoint)");
      }
      stopping.restore(st.bestMetric, st.bestStep, st.evalsWithoutImprovement);
      log(events, "resuming at step " + std::to_string(st.step) + " from " + ckpt->filename().string());
    }
    log(events, "training " + std::to_string(trainSet.size()) + (cfg.data.pack ? " blocks, " : " samples, ") + std::to_string(totalSteps) +
                    " steps of " + std::to_string(cfg.train.batch_size) +
                    (cfg.train.grad_accum > 1 ? " x " + std::to_string(cfg.train.grad_accum) : ""));

    // ---- Loop -------------------------------------------------------------------------------
    events.push(StateEvent{TrainerState::Running, {}});
    const double loopStart = monotonicSeconds() - st.wallSeconds;
    auto wallNow = [&] { return monotonicSeconds() - loopStart; };
    auto snapshot = [&](const std::string& reason) {
      CheckpointState s = st;
      s.wallSeconds = wallNow();
      s.dataPosition = data::toJson(batcher.position());
      s.bestMetricName = stopping.metric();
      s.bestMetric = stopping.best();
      s.bestStep = stopping.bestStep();
      s.evalsWithoutImprovement = stopping.evalsWithoutImprovement();
      s.reason = reason;
      return s;
    };
    auto saveStepCheckpoint = [&](const std::string& reason) {
      const auto dir = stepCheckpointDir(runDir, st.step);
      saveCheckpoint(dir, model.module(), optimizer.get(), snapshot(reason));
      pruneCheckpoints(runDir, cfg.train.keep_checkpoints);
      if (events.store()) events.store()->addArtifact(run.runId, "checkpoint", dir.string());
    };

    auto runEval = [&](double epoch) {
      if (valSet.size() == 0) return;
      const EvalResult ev = evaluateSet(model, valSet, cfg.train.batch_size * 2, shape.padId, &control.stop, mlm);
      model.module().train();
      if (control.stop) return;
      const double wall = wallNow();
      std::map<std::string, double> m{{"val_loss", ev.loss}};
      events.push(MetricEvent{"val/loss", st.step, epoch, st.tokensSeen, wall, ev.loss});
      if (classification) {
        const auto rep = classificationReport(ev.truth, ev.predicted, static_cast<int>(rd.labels.size()));
        m["accuracy"] = rep.accuracy;
        m["macro_f1"] = rep.macroF1;
        m["weighted_f1"] = rep.weightedF1;
        events.push(MetricEvent{"val/accuracy", st.step, epoch, st.tokensSeen, wall, rep.accuracy});
        events.push(MetricEvent{"val/macro_f1", st.step, epoch, st.tokensSeen, wall, rep.macroF1});
        events.push(makeEvalReportEvent("validation", st.step, epoch, rd.labels, rep));
      } else {
        m["perplexity"] = std::exp(ev.loss);
        events.push(MetricEvent{"val/perplexity", st.step, epoch, st.tokensSeen, wall, m["perplexity"]});
      }
      const auto watched = m.find(stopping.metric());
      if (watched == m.end()) return;
      if (stopping.observe(watched->second, st.step)) {
        // The best weights so far: what the run hands over at the end.
        saveCheckpoint(bestCheckpointDir(runDir), model.module(), nullptr, snapshot("best"));
        for (const auto& [k, v] : m) summary.metrics[k] = v;
        if (events.store()) events.store()->setBest(run.runId, stopping.metric(), watched->second, st.step);
      }
    };

    EncodedSet epochSet;  // online augmentation: the variants of the epoch in progress (after epoch 0)
    std::int64_t epochSetEpoch = 0;
    bool stopped = false, earlyStopped = false;
    double emaStep = 0;  // smoothed seconds per step, for the ETA
    double lastEpoch = 0;  // fractional epoch of the newest step, for reports after the loop
    int timedSteps = 0;
    model.module().train();
    while (st.step < totalSteps) {
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
      const double lr = schedule.at(static_cast<long>(st.step));
      optimizer->zeroGrad();
      // One optimizer step over up to grad_accum batches, never across an epoch's end; each batch's
      // loss is scaled by the group's size so the gradient is the mean over the group.
      const data::BatchPosition pos = batcher.position();
      const int64_t cursor = pos.cursor >= batchesPerEpoch ? 0 : pos.cursor;
      const int64_t group = std::min<int64_t>(cfg.train.grad_accum, batchesPerEpoch - cursor);
      double lossSum = 0;
      int64_t stepTokens = 0;
      data::PaddedBatch last;
      for (int64_t g = 0; g < group; ++g) {
        last = batcher.next();
        // Online augmentation: the same rows of the plan, their text drawn afresh for this epoch.
        const bool fresh = augmentation && augmentation->online() && last.epoch > 0;
        if (fresh && epochSetEpoch != last.epoch) {
          epochSet = encodeTrain(last.epoch);
          epochSetEpoch = last.epoch;
        }
        TensorBatch b = fresh ? toTensorBatch(data::Batcher::pad(epochSet.ids, last.indices, shape.padId, bo.padToMultiple, bo.maxLen),
                                              epochSet, classification)
                              : toTensorBatch(last, trainSet, classification);
        // Fresh masks each step, a function of (seed, step, row): a resumed run draws the same ones.
        if (mlm) b = maskBatch(b, last.indices, *mlm, data::deriveSeed(static_cast<uint64_t>(cfg.train.seed), 0x6d6c6d, static_cast<uint64_t>(st.step) * 64 + static_cast<uint64_t>(g)));
        torch::Tensor loss;
        {
          AutocastScope autocast(bf16);
          loss = forwardLoss(model, b, lossOptions).loss;
        }
        const double value = loss.item<double>();
        if (!std::isfinite(value))
          throw Diverged("the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") + " at step " +
                         std::to_string(st.step + 1) + ": the learning rate (" + std::to_string(lr) +
                         ") is probably too high; lower train.lr or raise train.warmup_steps");
        (loss / static_cast<double>(group)).backward();
        lossSum += value;
        stepTokens += b.tokens;
      }
      if (bf16) at::autocast::clear_cache();
      // The global norm in one pass; the clipping scale goes into the optimizer's update itself.
      const double gradNorm = optimizer->clipGradNorm(cfg.train.grad_clip > 0 ? cfg.train.grad_clip : 1e30);
      if (!std::isfinite(gradNorm))
        throw Diverged("the gradient became " + std::string(std::isnan(gradNorm) ? "NaN" : "infinite") + " at step " +
                       std::to_string(st.step + 1) + ": the learning rate (" + std::to_string(lr) +
                       ") is probably too high; lower train.lr, raise train.warmup_steps or set train.grad_clip");
      optimizer->step(lr);
      ++st.step;
      st.tokensSeen += stepTokens;
      st.epoch = last.epoch;
      lastEpoch = static_cast<double>(last.epoch) + static_cast<double>(last.step + 1) / static_cast<double>(batchesPerEpoch);
      const bool epochEnds = last.step + 1 >= batchesPerEpoch;
      const double lossValue = lossSum / static_cast<double>(group);
      const double wall = wallNow();
      const double stepSeconds = monotonicSeconds() - stepStart;
      emaStep = emaStep == 0 ? stepSeconds : 0.9 * emaStep + 0.1 * stepSeconds;
      const double epoch = lastEpoch;
      events.push(MetricEvent{"train/loss", st.step, epoch, st.tokensSeen, wall, lossValue});
      events.push(MetricEvent{"train/lr", st.step, epoch, st.tokensSeen, wall, lr});
      events.push(MetricEvent{"train/grad_norm", st.step, epoch, st.tokensSeen, wall, gradNorm});
      events.push(ProgressEvent{st.step, totalSteps, epoch, st.tokensSeen, wall, emaStep * static_cast<double>(totalSteps - st.step),
                                wall > 0 ? static_cast<double>(st.tokensSeen) / wall : 0});
      summary.metrics["train_loss"] = lossValue;
      if (++timedSteps == 3) {
        // The rest of the pre-flight: time per epoch from the first timed steps.
        log(events, "pre-flight: " + std::to_string(emaStep).substr(0, 4) + " s per step, about " +
                        formatSeconds(emaStep * static_cast<double>(stepsPerEpoch)) + " per epoch, " +
                        formatSeconds(emaStep * static_cast<double>(totalSteps - st.step)) + " for the run");
      }
      if ((cfg.train.eval_every > 0 && st.step % cfg.train.eval_every == 0) || epochEnds || st.step == totalSteps) runEval(epoch);
      if (stopping.shouldStop()) {
        earlyStopped = true;
        log(events, "early stopping: " + stopping.metric() + " has not improved for " + std::to_string(cfg.train.early_stopping_patience) +
                        " evaluations (best " + std::to_string(stopping.best()) + " at step " + std::to_string(stopping.bestStep()) + ")");
        break;
      }
      if (cfg.train.checkpoint_every > 0 && st.step % cfg.train.checkpoint_every == 0 && st.step < totalSteps) saveStepCheckpoint("every");
    }
    summary.steps = st.step;
    summary.tokens = st.tokensSeen;
    saveStepCheckpoint(stopped ? "stop" : "end");
    if (stopped) {
      recordFinalMetrics(events, run, summary);
      return finish(TrainerState::Stopped, "stopped by the user at step " + std::to_string(st.step) + " (resume with: ftstudio resume " + run.runId + ")");
    }

    // ---- Hand-over: the best weights, exported as a Hugging Face folder, tested --------------
    if (stopping.hasBest()) {
      loadCheckpoint(bestCheckpointDir(runDir), model.module(), nullptr);
      log(events, "keeping the best weights: step " + std::to_string(stopping.bestStep()) + ", " + stopping.metric() + " " +
                      std::to_string(stopping.best()));
    }
    model.module().eval();
    if (model.hasLora()) model.mergeLora();  // the hand-over model is a plain one; checkpoints keep the adapters
    model.saveFolder(runDir / "model", setup.tokenizer.get());
    if (events.store()) events.store()->addArtifact(run.runId, "model", (runDir / "model").string());
    if (!cfg.data.test.empty()) {
      const data::Dataset testDs = loadCompanionFile(cfg.data.test, rd, runDir, events);
      std::vector<std::size_t> rows(testDs.samples.size());
      std::iota(rows.begin(), rows.end(), std::size_t{0});
      const EncodedSet testSet = encodeForRun(cfg, testDs, rows, *setup.tokenizer, rd.labelIds, threads);
      const EvalResult ev = evaluateSet(model, testSet, cfg.train.batch_size * 2, shape.padId, &control.stop, mlm);
      summary.metrics["test_loss"] = ev.loss;
      if (classification) {
        const auto rep = classificationReport(ev.truth, ev.predicted, static_cast<int>(rd.labels.size()));
        summary.metrics["test_accuracy"] = rep.accuracy;
        summary.metrics["test_macro_f1"] = rep.macroF1;
        events.push(makeEvalReportEvent("test", st.step, lastEpoch, rd.labels, rep));
      } else {
        summary.metrics["test_perplexity"] = std::exp(ev.loss);
      }
      log(events, "test set " + cfg.data.test + ": " + std::to_string(testSet.size()) + " samples evaluated");
    }
    recordFinalMetrics(events, run, summary);
    return finish(TrainerState::Finished, earlyStopped ? "stopped early: no improvement" : "");
  } catch (const Diverged& e) {
    log(events, e.what(), LogEvent::Level::Error);
    const auto last = latestCheckpoint(runDir);
    return finish(TrainerState::Failed, std::string(e.what()) + (last ? " (last good checkpoint: " + last->filename().string() + ")" : ""));
  } catch (const data::DataError& e) {
    log(events, e.what(), LogEvent::Level::Error);
    return finish(TrainerState::Failed, e.what());
  } catch (const std::exception& e) {
    log(events, e.what(), LogEvent::Level::Error);
    return finish(TrainerState::Failed, e.what());
  }
}

}  // namespace fts
