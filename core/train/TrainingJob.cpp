// The training job: data -> tokenizer -> model -> optimisation loop, reporting through events.
#include "core/data/DatasetLoader.h"
#include "core/data/ColumnMapping.h"
#include "core/data/Fingerprint.h"
#include "core/data/Split.h"
#include "core/data/SplitFile.h"
#include "core/eval/ClassificationMetrics.h"
#include "core/io/HfModelFolder.h"
#include "core/model/LlamaModules.h"
#include "core/runs/RunRecorder.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/train/Checkpoint.h"
#include "core/train/EarlyStopping.h"
#include "core/train/LoraSettings.h"
#include "core/train/LrSchedule.h"
#include "core/train/Optimizers.h"
#include "core/train/Trainer.h"
#include "core/util/AtomicFile.h"
#include "core/util/Clock.h"
#include "core/util/Runtime.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <unistd.h>
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

struct LossOptions {
  torch::Tensor classWeights;  // [C] or undefined
  double labelSmoothing = 0;
};

StepOutput forwardLoss(LlamaForTask& model, const Batch& b, const LossOptions& opts = {}) {
  namespace F = torch::nn::functional;
  auto hidden = model->model->forwardEmbeds(model->model->embed(b.ids));  // [B,T,D]
  if (model->kind == HeadKind::SequenceClassification) {
    auto logits = model->classLogits(hidden, b.lengths);                  // [B,C]
    auto o = F::CrossEntropyFuncOptions().label_smoothing(opts.labelSmoothing);
    if (opts.classWeights.defined()) o.weight(opts.classWeights);
    return {F::cross_entropy(logits.to(torch::kFloat32), b.targets, o), logits};
  }
  // lmLoss never keeps the [B*T,V] logits on the CPU (fused head + cross-entropy: less memory, fewer
  // passes); nothing reads LM logits from here.
  return {model->lmLoss(hidden, b.targets, -100, opts.labelSmoothing), torch::Tensor()};
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

class Diverged : public JobFailed {
 public:
  using JobFailed::JobFailed;
};

void validateSettings(const TrainConfig& cfg) {
  if (cfg.train.batch_size < 1) throw JobFailed("train.batch_size must be at least 1");
  if (cfg.train.grad_accum < 1) throw JobFailed("train.grad_accum must be at least 1");
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

// A validation or test file: same columns, and only labels the training data has.
data::Dataset loadCompanion(const std::string& file, const data::LoadOptions& lo, bool classification,
                            const std::map<std::string, int>& labelIds) {
  data::Dataset d = data::loadDataset(file, lo).dataset;
  if (classification)
    for (const auto& s : d.samples)
      if (!labelIds.count(s.label))
        throw JobFailed(file + ":" + std::to_string(s.line) + ": label '" + s.label +
                        "' does not occur in the training data; the model cannot predict it");
  return d;
}

struct ModelSetup {
  LlamaForTask model{nullptr};
  std::unique_ptr<SentencePieceTokenizer> tokenizer;
};

HeadKind headFor(bool classification) { return classification ? HeadKind::SequenceClassification : HeadKind::CausalLM; }

ModelSetup modelFromScratch(const TrainConfig& cfg, const data::Dataset& ds, const std::vector<std::size_t>& trainRows,
                            const std::vector<std::string>& labels, int threads, const std::filesystem::path& runDir,
                            RunRecorder& events) {
  std::vector<std::string> texts;
  texts.reserve(trainRows.size());
  for (auto r : trainRows) texts.push_back(ds.samples[r].text);
  TokenizerTrainOptions topt;
  topt.vocabSize = cfg.model.vocab_size;
  topt.threads = threads;
  log(events, "training a SentencePiece tokenizer on " + std::to_string(texts.size()) + " texts");
  ModelSetup s;
  s.tokenizer = std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::train(texts, topt, runDir / "tokenizer.model"));
  log(events, "tokenizer: " + std::to_string(s.tokenizer->vocabSize()) + " pieces");
  LlamaConfig mc;
  mc.vocab_size = s.tokenizer->vocabSize();
  mc.hidden_size = cfg.model.hidden_size;
  mc.num_hidden_layers = cfg.model.layers;
  mc.num_attention_heads = cfg.model.heads;
  mc.num_key_value_heads = cfg.model.kv_heads;
  mc.max_position_embeddings = std::max(cfg.data.max_len, 16);
  mc.hidden_dropout = cfg.model.dropout;
  mc.pad_token_id = SentencePieceTokenizer::kPad;
  mc.id2label = labels;
  mc.validate();
  s.model = LlamaForTask(mc, headFor(!labels.empty()));
  initLlamaWeights(*s.model, static_cast<uint64_t>(cfg.train.seed));
  return s;
}

ModelSetup modelFromBase(const TrainConfig& cfg, const std::vector<std::string>& labels, bool classification,
                         const std::filesystem::path& runDir, RunRecorder& events) {
  const std::filesystem::path base = cfg.model.base;
  const HfModelFiles files = findHfModelFiles(base);
  LlamaConfig mc = loadHfConfig(base);
  ModelSetup s;
  s.tokenizer = std::make_unique<SentencePieceTokenizer>(loadHfTokenizer(base, mc));
  writeFileAtomically(runDir / "tokenizer.model", s.tokenizer->serialized());
  mc.id2label = labels;
  mc.hidden_dropout = cfg.model.dropout;
  // Right padding with a pad id that never occurs inside a text: the tokenizer's, else unk.
  mc.pad_token_id = s.tokenizer->padId() >= 0 ? s.tokenizer->padId() : s.tokenizer->unkId();
  if (cfg.data.max_len > mc.max_position_embeddings)
    log(events, "data.max_len " + std::to_string(cfg.data.max_len) + " exceeds the base model's max_position_embeddings " +
                    std::to_string(mc.max_position_embeddings) + ": positions beyond it were never trained", LogEvent::Level::Warning);
  s.model = LlamaForTask(mc, headFor(classification));
  initLlamaWeights(*s.model, static_cast<uint64_t>(cfg.train.seed));  // the head, if the base has none
  HfLoadOptions opts;
  opts.allowMissingHead = true;
  const HfLoadReport report = loadHfWeights(s.model, files, opts);
  std::string stored;
  for (const auto& d : report.storedDtypes) stored += (stored.empty() ? "" : ",") + d;
  log(events, "base model " + base.string() + ": " + std::to_string(report.tensorsLoaded) + " tensors (" + stored + ")" +
                  (report.headKeptInitialised.empty() ? "" : ", new head " + report.headKeptInitialised.front()));
  return s;
}

ModelSetup resumeModel(const std::filesystem::path& runDir, bool classification) {
  ModelSetup s;
  const LlamaConfig mc = LlamaConfig::load(runDir / "config.json");
  s.tokenizer = std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::load(runDir / "tokenizer.model"));
  s.model = LlamaForTask(mc, headFor(classification));
  return s;  // the weights come from the checkpoint
}

// Freezes what the config asks and returns the rest, with weight decay on matrices only.
std::vector<NamedParam> trainableParams(LlamaForTask& model, const TrainConfig& cfg, RunRecorder& events) {
  const int layers = model->model->config.num_hidden_layers;
  if (cfg.model.freeze_layers > layers)
    throw JobFailed("model.freeze_layers is " + std::to_string(cfg.model.freeze_layers) + " but the model has " +
                    std::to_string(layers) + " layers");
  auto frozen = [&](const std::string& name) {
    if (cfg.model.freeze_embeddings && name.rfind("model.embed_tokens.", 0) == 0) return true;
    for (int i = 0; i < cfg.model.freeze_layers; ++i)
      if (name.rfind("model.layers." + std::to_string(i) + ".", 0) == 0) return true;
    return false;
  };
  // With LoRA, attachLora already chose what trains (adapters and a classifier head).
  const bool lora = hasLora(model);
  std::vector<NamedParam> out;
  int nFrozen = 0;
  for (auto& p : model->named_parameters()) {
    if (frozen(p.key())) {
      p.value().set_requires_grad(false);
      ++nFrozen;
      continue;
    }
    if (!lora) p.value().set_requires_grad(true);
    if (p.value().requires_grad()) out.push_back(NamedParam{p.key(), p.value(), p.value().dim() >= 2, 1.0});
  }
  if (nFrozen) log(events, "frozen: " + std::to_string(nFrozen) + " tensors (embeddings: " + (cfg.model.freeze_embeddings ? "yes" : "no") +
                               ", first layers: " + std::to_string(cfg.model.freeze_layers) + ")");
  return out;
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
      w[c] = counts[c] > 0 ? static_cast<float>(train.labels.size() / (numClasses * counts[c])) : 0.0f;
    o.classWeights = torch::tensor(w);
  }
  return o;
}

bool cpuHasNativeBf16() {
#if defined(__x86_64__) && defined(__GNUC__)
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

// CPU autocast to bf16 for the scope (matrix products in bf16, reductions and losses in fp32).
class AutocastScope {
 public:
  explicit AutocastScope(bool on) : on_(on) {
    if (!on_) return;
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (!on_) return;
    at::autocast::decrement_nesting();
    at::autocast::set_cpu_enabled(false);
  }

 private:
  bool on_;
};

// Estimated memory of a run, said before it starts, with a warning when it will not fit.
void preflight(LlamaForTask& model, const std::vector<NamedParam>& trainable, const TrainConfig& cfg, const EncodedSet& train,
               RunRecorder& events) {
  const auto& c = model->model->config;
  double params = 0, trained = 0;
  for (const auto& p : model->parameters()) params += static_cast<double>(p.numel());
  for (const auto& p : trainable) trained += static_cast<double>(p.tensor.numel());
  double meanLen = 0;
  for (const auto& ids : train.ids) meanLen += static_cast<double>(ids.size());
  meanLen = train.ids.empty() ? 0 : meanLen / static_cast<double>(train.ids.size());
  const double T = std::min<double>(cfg.data.max_len, std::max(1.0, meanLen * 1.5));  // padded batches run longer than the mean
  const double B = cfg.train.batch_size;
  const double D = c.hidden_size, L = c.num_hidden_layers, H = c.num_attention_heads, F = c.ffnSize();
  // Saved activations per layer and token: norms, q/k/v/o, attention rows, SwiGLU (≈ 10 D + 3 F + 2 H T).
  const double actPerTokenLayer = 10 * D + 3 * F + 2 * H * T;
  const double head = model->kind == HeadKind::CausalLM ? 3.0 * c.vocab_size * B * T : 0.0;
  const double bytes = 4.0 * (params + trained /*grads*/ + 2 * trained /*moments*/ + B * T * L * actPerTokenLayer + head);
  const double gib = bytes / (1024.0 * 1024 * 1024);
  const double available = static_cast<double>(sysconf(_SC_AVPHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024 * 1024);
  char msg[200];
  std::snprintf(msg, sizeof msg, "pre-flight: about %.2f GiB (weights, gradients, optimizer, activations) of %.1f GiB free", gib, available);
  log(events, msg);
  if (gib > 0.8 * available)
    log(events, "this run will probably not fit in memory: lower train.batch_size or data.max_len, or freeze layers",
        LogEvent::Level::Warning);
}

std::string formatSeconds(double s) {
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  else std::snprintf(buf, sizeof buf, "%.0f s", s);
  return buf;
}

void finishStore(RunRecorder& events, const RunContext& run, const TrainSummary& summary) {
  nlohmann::ordered_json metrics(summary.metrics);
  writeFileAtomically(run.runDir / "metrics.json", metrics.dump(2) + "\n");
  if (RunStore* store = events.store()) {
    try {
      events.flush();
      store->setFinalMetrics(run.runId, summary.metrics);
    } catch (const std::exception& e) {
      log(events, std::string("run store: final metrics not recorded: ") + e.what(), LogEvent::Level::Warning);
    }
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
    if (cfg.train.deterministic) at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
    torch::manual_seed(static_cast<uint64_t>(cfg.train.seed));
    validateSettings(cfg);

    // ---- Data -------------------------------------------------------------------------------
    if (cfg.data.train.empty()) throw JobFailed("no training data: set data.train (or pass --data FILE)");
    data::LoadOptions lo;
    lo.textColumn = cfg.data.text_col;
    lo.labelColumn = cfg.data.label_col;
    if (!data::parseDataTask(cfg.task, lo.task)) throw JobFailed("task must be 'cls' or 'lm', not '" + cfg.task + "'");
    const data::LoadResult loaded = data::loadDataset(cfg.data.train, lo);
    const data::Dataset& ds = loaded.dataset;
    for (const auto& note : loaded.notes) log(events, note);
    for (const auto& warning : loaded.warnings) log(events, warning.format(), LogEvent::Level::Warning);
    const std::string fingerprint = data::fingerprintFile(cfg.data.train);
    if (events.store()) events.store()->setDatasetFingerprint(run.runId, fingerprint);
    const std::string task = cfg.task.empty() ? (ds.labelled() ? "cls" : "lm") : cfg.task;
    if (task != "cls" && task != "lm") throw JobFailed("task must be 'cls' or 'lm', not '" + task + "'");
    const bool classification = task == "cls";
    summary.task = task;
    if (events.store()) events.store()->setTask(run.runId, task);
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
      valDs = loadCompanion(cfg.data.validation, lo, classification, labelIds);
      trainRows.resize(ds.samples.size());
      std::iota(trainRows.begin(), trainRows.end(), 0);
      valRows.resize(valDs.samples.size());
      std::iota(valRows.begin(), valRows.end(), 0);
      log(events, "validation: " + cfg.data.validation + " (" + std::to_string(valRows.size()) + " rows)");
    } else if (run.resume && std::filesystem::exists(runDir / "split.json")) {
      // The run's own split, checked against the data: a changed file cannot resume silently.
      data::Split split = data::restoreSplit(runDir / "split.json", ds);
      trainRows = std::move(split.train);
      valRows = std::move(split.validation);
      log(events, "validation: the run's stored split (" + std::to_string(valRows.size()) + " rows)");
    } else {
      data::Split split = data::splitForValidation(ds, cfg.data.val_fraction, static_cast<uint64_t>(cfg.train.seed));
      log(events, split.note);
      if (!split.warning.empty()) log(events, split.warning, LogEvent::Level::Warning);
      const auto record = data::makeSplitRecord(ds, cfg.data.train, split);
      data::writeSplitFile(runDir / "split.json", record);
      if (events.store()) events.store()->setSplit(run.runId, readWholeFile(runDir / "split.json"));
      trainRows = std::move(split.train);
      valRows = std::move(split.validation);
    }
    const data::Dataset& valSource = cfg.data.validation.empty() ? ds : valDs;

    // ---- Tokenizer and model ---------------------------------------------------------------
    ModelSetup setup = run.resume ? resumeModel(runDir, classification)
                                  : (cfg.model.base.empty() ? modelFromScratch(cfg, ds, trainRows, labels, threads, runDir, events)
                                                            : modelFromBase(cfg, labels, classification, runDir, events));
    LlamaForTask& model = setup.model;
    const LlamaConfig& mc = model->model->config;
    if (cfg.model.lora_rank > 0) {
      const LoraConfig lora = loraConfigOf(cfg);
      attachLora(model, lora, static_cast<uint64_t>(cfg.train.seed) + 1);
      log(events, "LoRA: rank " + std::to_string(lora.rank) + ", alpha " + std::to_string(lora.alpha).substr(0, 5) + " on " +
                      cfg.model.lora_targets + "; base weights frozen");
    }
    if (control.stop) return finish(TrainerState::Stopped, "stopped before training began");
    const EncodedSet trainSet = encode(ds, trainRows, *setup.tokenizer, labelIds, cfg.data.max_len);
    const EncodedSet valSet = encode(valSource, valRows, *setup.tokenizer, labelIds, cfg.data.max_len);
    const std::vector<NamedParam> trainable = trainableParams(model, cfg, events);
    int64_t nParams = 0, nTrainable = 0;
    for (const auto& p : model->parameters()) nParams += p.numel();
    for (const auto& p : trainable) nTrainable += p.tensor.numel();
    log(events, model->architecture() + ": " + std::to_string(nParams) + " parameters (" + std::to_string(nTrainable) +
                    " trained), " + std::to_string(mc.num_hidden_layers) + " layers, hidden " + std::to_string(mc.hidden_size));
    if (!run.resume) {
      writeFileAtomically(runDir / "config.json", mc.toJson(model->architecture()));
      writeFileAtomically(runDir / "train_config.json", cfg.toJson());
    }
    std::unique_ptr<ParamOptimizer> optimizer =
        cfg.train.optimizer == "sgd" ? makeSgd(trainable, SgdSettings{cfg.train.momentum, cfg.train.weight_decay})
                                     : makeAdamW(trainable, AdamWSettings{0.9, 0.999, 1e-8, cfg.train.weight_decay});
    const LossOptions lossOptions = makeLossOptions(cfg, trainSet, static_cast<int>(labels.size()), classification);
    const bool bf16 = cfg.train.bf16 && cpuHasNativeBf16();
    if (cfg.train.bf16 && !bf16) log(events, "bf16 requested, but this CPU has no native bf16: training in fp32", LogEvent::Level::Warning);
    preflight(model, trainable, cfg, trainSet, events);

    const int64_t batchesPerEpoch = (static_cast<int64_t>(trainSet.ids.size()) + cfg.train.batch_size - 1) / cfg.train.batch_size;
    const int64_t stepsPerEpoch = (batchesPerEpoch + cfg.train.grad_accum - 1) / cfg.train.grad_accum;
    const int64_t totalSteps = cfg.train.steps > 0 ? cfg.train.steps : std::max<int64_t>(1, stepsPerEpoch * cfg.train.epochs);
    const LrSchedule schedule{cfg.train.schedule, cfg.train.lr, cfg.train.warmup_steps, totalSteps};
    EarlyStopping stopping(cfg.train.early_stopping_metric, cfg.train.early_stopping_patience, cfg.train.early_stopping_min_delta);

    CheckpointState st;
    std::mt19937_64 shuffler(static_cast<uint64_t>(cfg.train.seed));
    if (run.resume) {
      const auto ckpt = latestCheckpoint(runDir);
      if (!ckpt) throw JobFailed(runDir.string() + ": no checkpoint to resume from");
      st = loadCheckpoint(*ckpt, model, optimizer.get());
      std::istringstream(st.shuffler) >> shuffler;
      stopping.restore(st.bestMetric, st.bestStep, st.evalsWithoutImprovement);
      log(events, "resuming at step " + std::to_string(st.step) + " from " + ckpt->filename().string());
    }
    log(events, "training " + std::to_string(trainSet.ids.size()) + " samples, " + std::to_string(totalSteps) + " steps of " +
                    std::to_string(cfg.train.batch_size) + (cfg.train.grad_accum > 1 ? " x " + std::to_string(cfg.train.grad_accum) : ""));

    // ---- Loop -------------------------------------------------------------------------------
    events.push(StateEvent{TrainerState::Running, {}});
    const double loopStart = monotonicSeconds() - st.wallSeconds;
    auto wallNow = [&] { return monotonicSeconds() - loopStart; };
    auto snapshot = [&](const std::string& reason) {
      CheckpointState s = st;
      s.wallSeconds = wallNow();
      s.bestMetricName = stopping.metric();
      s.bestMetric = stopping.best();
      s.bestStep = stopping.bestStep();
      s.evalsWithoutImprovement = stopping.evalsWithoutImprovement();
      s.reason = reason;
      return s;
    };
    auto saveStepCheckpoint = [&](const std::string& reason) {
      const auto dir = stepCheckpointDir(runDir, st.step);
      saveCheckpoint(dir, model, optimizer.get(), snapshot(reason));
      pruneCheckpoints(runDir, cfg.train.keep_checkpoints);
      if (events.store()) events.store()->addArtifact(run.runId, "checkpoint", dir.string());
    };

    auto runEval = [&](double epoch) {
      if (valSet.ids.empty()) return;
      const EvalResult ev = evaluate(model, valSet, cfg.train.batch_size * 2, classification, mc.pad_token_id, control);
      if (control.stop) return;
      const double wall = wallNow();
      std::map<std::string, double> m{{"val_loss", ev.loss}};
      events.push(MetricEvent{"val/loss", st.step, epoch, st.tokensSeen, wall, ev.loss});
      if (classification) {
        const auto rep = classificationReport(ev.truth, ev.predicted, static_cast<int>(labels.size()));
        m["accuracy"] = rep.accuracy;
        m["macro_f1"] = rep.macroF1;
        m["weighted_f1"] = rep.weightedF1;
        events.push(MetricEvent{"val/accuracy", st.step, epoch, st.tokensSeen, wall, rep.accuracy});
        events.push(MetricEvent{"val/macro_f1", st.step, epoch, st.tokensSeen, wall, rep.macroF1});
      } else {
        m["perplexity"] = std::exp(ev.loss);
        events.push(MetricEvent{"val/perplexity", st.step, epoch, st.tokensSeen, wall, m["perplexity"]});
      }
      const auto watched = m.find(stopping.metric());
      if (watched == m.end()) return;
      if (stopping.observe(watched->second, st.step)) {
        // The best weights so far: what the run hands over at the end.
        saveCheckpoint(bestCheckpointDir(runDir), model, nullptr, snapshot("best"));
        for (const auto& [k, v] : m) summary.metrics[k] = v;
        if (events.store()) events.store()->setBest(run.runId, stopping.metric(), watched->second, st.step);
      }
    };

    bool stopped = false, earlyStopped = false;
    double emaStep = 0;  // smoothed seconds per step, for the ETA
    int timedSteps = 0;
    std::vector<std::size_t> order(trainSet.ids.size());
    while (st.step < totalSteps && !stopped && !earlyStopped) {
      if (st.batchInEpoch == 0) {
        std::ostringstream state;
        state << shuffler;
        st.shuffler = state.str();  // before the shuffle, so a resume redraws the same order
      }
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), shuffler);
      while (st.batchInEpoch < batchesPerEpoch && st.step < totalSteps) {
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
        // One optimizer step over up to grad_accum batches; each batch's loss is scaled by the
        // group's size so the gradient is the mean over the group.
        const int64_t group = std::min<int64_t>(cfg.train.grad_accum, batchesPerEpoch - st.batchInEpoch);
        double lossSum = 0;
        int64_t stepTokens = 0;
        for (int64_t g = 0; g < group; ++g, ++st.batchInEpoch) {
          const int64_t bi = st.batchInEpoch;
          std::vector<std::size_t> rows(order.begin() + bi * cfg.train.batch_size,
                                        order.begin() + std::min<int64_t>((bi + 1) * cfg.train.batch_size, static_cast<int64_t>(order.size())));
          const Batch b = makeBatch(trainSet, rows, classification, mc.pad_token_id);
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
        std::vector<torch::Tensor> grads;
        for (const auto& p : trainable) grads.push_back(p.tensor);
        const double gradNorm = torch::nn::utils::clip_grad_norm_(grads, cfg.train.grad_clip > 0 ? cfg.train.grad_clip : 1e30);
        if (!std::isfinite(gradNorm))
          throw Diverged("the gradient became " + std::string(std::isnan(gradNorm) ? "NaN" : "infinite") + " at step " +
                         std::to_string(st.step + 1) + ": the learning rate (" + std::to_string(lr) +
                         ") is probably too high; lower train.lr, raise train.warmup_steps or set train.grad_clip");
        optimizer->step(lr);
        ++st.step;
        st.tokensSeen += stepTokens;
        const double lossValue = lossSum / static_cast<double>(group);
        const double wall = wallNow();
        const double stepSeconds = monotonicSeconds() - stepStart;
        emaStep = emaStep == 0 ? stepSeconds : 0.9 * emaStep + 0.1 * stepSeconds;
        const double epoch = static_cast<double>(st.epoch) + static_cast<double>(st.batchInEpoch) / static_cast<double>(batchesPerEpoch);
        events.push(MetricEvent{"train/loss", st.step, epoch, st.tokensSeen, wall, lossValue});
        events.push(MetricEvent{"train/lr", st.step, epoch, st.tokensSeen, wall, lr});
        events.push(MetricEvent{"train/grad_norm", st.step, epoch, st.tokensSeen, wall, gradNorm});
        events.push(ProgressEvent{st.step, totalSteps, epoch, st.tokensSeen, wall, emaStep * static_cast<double>(totalSteps - st.step),
                                  wall > 0 ? static_cast<double>(st.tokensSeen) / wall : 0});
        summary.metrics["train_loss"] = lossValue;
        if (++timedSteps == 3) {
          // The rest of the pre-flight: time per epoch from the first timed steps.
          char msg[160];
          std::snprintf(msg, sizeof msg, "pre-flight: %.2f s per step, about %s per epoch, %s for the run",
                        emaStep, formatSeconds(emaStep * static_cast<double>(stepsPerEpoch)).c_str(),
                        formatSeconds(emaStep * static_cast<double>(totalSteps - st.step)).c_str());
          log(events, msg);
        }
        const bool epochEnds = st.batchInEpoch >= batchesPerEpoch;
        if ((cfg.train.eval_every > 0 && st.step % cfg.train.eval_every == 0) || epochEnds || st.step == totalSteps) runEval(epoch);
        if (stopping.shouldStop()) {
          earlyStopped = true;
          log(events, "early stopping: " + stopping.metric() + " has not improved for " + std::to_string(cfg.train.early_stopping_patience) +
                          " evaluations (best " + std::to_string(stopping.best()) + " at step " + std::to_string(stopping.bestStep()) + ")");
        }
        if (cfg.train.checkpoint_every > 0 && st.step % cfg.train.checkpoint_every == 0 && st.step < totalSteps) saveStepCheckpoint("every");
        if (earlyStopped) break;
      }
      if (st.batchInEpoch >= batchesPerEpoch) {
        ++st.epoch;
        st.batchInEpoch = 0;
      }
    }
    summary.steps = st.step;
    summary.tokens = st.tokensSeen;
    saveStepCheckpoint(stopped ? "stop" : "end");
    if (stopped) {
      finishStore(events, run, summary);
      return finish(TrainerState::Stopped, "stopped by the user at step " + std::to_string(st.step) + " (resume with: ftstudio resume " + run.runId + ")");
    }

    // ---- Hand-over: the best weights, exported as a Hugging Face folder, tested --------------
    if (stopping.hasBest()) {
      loadCheckpoint(bestCheckpointDir(runDir), model, nullptr);
      log(events, "keeping the best weights: step " + std::to_string(stopping.bestStep()) + ", " + stopping.metric() + " " +
                      std::to_string(stopping.best()));
    }
    model->eval();
    if (hasLora(model)) mergeLora(model);  // the hand-over model is a plain one; checkpoints keep the adapters
    saveHfModelFolder(runDir / "model", model, setup.tokenizer.get());
    if (events.store()) events.store()->addArtifact(run.runId, "model", (runDir / "model").string());
    if (!cfg.data.test.empty()) {
      const data::Dataset testDs = loadCompanion(cfg.data.test, lo, classification, labelIds);
      std::vector<std::size_t> rows(testDs.samples.size());
      std::iota(rows.begin(), rows.end(), 0);
      const EncodedSet testSet = encode(testDs, rows, *setup.tokenizer, labelIds, cfg.data.max_len);
      const EvalResult ev = evaluate(model, testSet, cfg.train.batch_size * 2, classification, mc.pad_token_id, control);
      summary.metrics["test_loss"] = ev.loss;
      if (classification) {
        const auto rep = classificationReport(ev.truth, ev.predicted, static_cast<int>(labels.size()));
        summary.metrics["test_accuracy"] = rep.accuracy;
        summary.metrics["test_macro_f1"] = rep.macroF1;
      } else {
        summary.metrics["test_perplexity"] = std::exp(ev.loss);
      }
      log(events, "test set " + cfg.data.test + ": " + std::to_string(testSet.ids.size()) + " samples evaluated");
    }
    finishStore(events, run, summary);
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
