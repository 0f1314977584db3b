#include "core/bench/TrainBench.h"

#include "core/model/BertModules.h"
#include "core/model/LlamaModules.h"
#include "core/train/BertTaskModel.h"
#include "core/train/Optimizers.h"
#include "core/train/TaskLoss.h"
#include "core/util/Runtime.h"

#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace fts::bench {
namespace {

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double peakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

// The ceiling MFU is measured against: the best of a few square products in the run's dtype on the
// run's threads (PLATFORM.md's 2048^3 figure), so load on the machine affects both alike.
double matmulGflops(bool bf16) {
  torch::NoGradGuard noGrad;
  const int64_t n = 2048;
  auto a = torch::randn({n, n}), b = torch::randn({n, n});
  if (bf16) {
    a = a.to(torch::kBFloat16);
    b = b.to(torch::kBFloat16);
  }
  auto c = torch::mm(a, b);  // warm-up: threads, packing buffers
  double best = 0;
  for (int i = 0; i < 5; ++i) {
    const double t0 = nowSeconds();
    torch::mm_out(c, a, b);
    const double dt = nowSeconds() - t0;
    best = std::max(best, 2.0 * n * n * n / dt / 1e9);
  }
  return best;
}

// The task when --task is not given: what each arch's peer measures by default.
std::string resolvedTask(const TrainBenchOptions& o) {
  if (!o.task.empty()) return o.task;
  return o.arch == "bert" ? "cls" : "lm";
}

}  // namespace

void validate(const TrainBenchOptions& o) {
  auto positive = [](int v, const char* flag) {
    if (v <= 0) throw std::invalid_argument(std::string(flag) + " must be positive, not " + std::to_string(v));
  };
  positive(o.dim, "--dim");
  positive(o.layers, "--layers");
  positive(o.heads, "--heads");
  positive(o.vocab, "--vocab");
  positive(o.seq, "--seq");
  positive(o.batch, "--batch");
  positive(o.steps, "--steps");
  if (o.warmup < 0) throw std::invalid_argument("--warmup must be 0 or more");
  if (o.threads < 0) throw std::invalid_argument("--threads must be 0 (all cores) or more");
  if (o.ffn < 0) throw std::invalid_argument("--ffn must be 0 (the arch's rule) or more");
  if (o.minLen < 0 || o.minLen > o.seq)
    throw std::invalid_argument("--min-len must be between 0 (no padding) and --seq (" + std::to_string(o.seq) + "), not " +
                                std::to_string(o.minLen));
  if (o.arch != "llama" && o.arch != "bert") throw std::invalid_argument("--arch must be llama or bert, not '" + o.arch + "'");
  const std::string task = resolvedTask(o);
  if (task != "lm" && task != "cls") throw std::invalid_argument("--task must be lm or cls, not '" + task + "'");
  if (o.arch == "bert" && task != "cls")
    throw std::invalid_argument("--task lm is a decoder's: --arch bert measures classification (--task cls)");
  if (task == "cls" && o.classes < 2) throw std::invalid_argument("--classes must be at least 2");
  if (o.dim % o.heads != 0) throw std::invalid_argument("--dim must be a multiple of --heads");
  if (o.arch == "llama" && (o.dim / o.heads) % 2 != 0)
    throw std::invalid_argument("--dim / --heads (the head size) must be even for RoPE");
}

TrainBenchResult runTrainBench(const TrainBenchOptions& opt) {
  validate(opt);
  TrainBenchResult r;
  r.options = opt;  // task and ffn resolved below
  r.options.threads = configureThreads(opt.threads);
  torch::manual_seed(0);

  r.options.task = resolvedTask(opt);
  const bool lm = r.options.task == "lm";
  const bool bert = opt.arch == "bert";
  std::vector<std::string> labels;
  if (!lm)
    for (int i = 0; i < opt.classes; ++i) labels.push_back("class_" + std::to_string(i));

  // ---- Model: the peer's shape. Llama: ref_train's (separate LM head, ffn rule, no dropout). BERT:
  // BertForSequenceClassification as the trainer builds it from a MiniLM-like config.json (pooler,
  // exact GELU, dropout 0.1 as HF's default, which the trainer keeps and ref_bert_train.py uses too).
  std::unique_ptr<LlamaForTask> llama;
  std::unique_ptr<BertTaskModel> bertModel;
  torch::nn::Module* module = nullptr;
  if (bert) {
    BertConfig c;
    c.vocab_size = opt.vocab;
    c.hidden_size = opt.dim;
    r.ffn = opt.ffn > 0 ? opt.ffn : 4 * opt.dim;
    c.intermediate_size = r.ffn;
    c.num_hidden_layers = opt.layers;
    c.num_attention_heads = opt.heads;
    c.max_position_embeddings = std::max(opt.seq, 512);
    c.id2label = labels;
    c.validate();
    BertForSequenceClassification cls(c);
    initBertWeights(*cls, c.pad_token_id, 0);
    bertModel = std::make_unique<BertTaskModel>(cls);
    module = &bertModel->module();
  } else {
    LlamaConfig c;
    c.vocab_size = opt.vocab;
    c.hidden_size = opt.dim;
    r.ffn = opt.ffn > 0 ? opt.ffn : 64 * ((8 * opt.dim / 3 + 63) / 64);  // ref: int(2*4*dim/3) rounded up to 64
    c.intermediate_size = r.ffn;
    c.num_hidden_layers = opt.layers;
    c.num_attention_heads = opt.heads;
    c.max_position_embeddings = std::max(opt.seq, 16);
    c.rms_norm_eps = 1e-5;
    c.tie_word_embeddings = false;
    c.id2label = labels;
    llama = std::make_unique<LlamaForTask>(c, lm ? HeadKind::CausalLM : HeadKind::SequenceClassification);
    initLlamaWeights(**llama, 0);
    module = llama->get();
  }
  r.options.ffn = r.ffn;
  module->train();

  // The trainer's optimizer: AdamW over every trainable tensor, weight decay on matrices only.
  // Embedding tables (Llama's token table; BERT's word, position and token-type tables) are looked
  // up, not multiplied: they stay out of matmulParams.
  auto isEmbeddingTable = [&](const std::string& name) {
    if (!bert) return name.rfind("model.embed_tokens.", 0) == 0;
    return name.rfind("bert.embeddings.", 0) == 0 && name.find("_embeddings.weight") != std::string::npos;
  };
  std::vector<NamedParam> trainable;
  for (auto& p : module->named_parameters()) {
    r.params += p.value().numel();
    if (!isEmbeddingTable(p.key())) r.matmulParams += p.value().numel();
    trainable.push_back(NamedParam{p.key(), p.value(), p.value().dim() >= 2, 1.0});
  }
  auto optimizer = makeAdamW(trainable, AdamWSettings{0.9, 0.999, 1e-8, 0.01});

  r.bf16 = opt.bf16 && cpuHasNativeBf16();
  if (opt.bf16 && !r.bf16) r.note = "bf16 requested, but this CPU has no native bf16: measured in fp32 (as the trainer would train)";

  // ---- Data: random, of the shape the trainer's batches have: full rows, or with --min-len rows of
  // random lengths right-padded with the pad id (0), the longest row full (the trainer pads to it).
  const int64_t B = opt.batch, T = opt.seq;
  TensorBatch batch;
  const int64_t firstId = bert ? 1 : 0;  // BERT: id 0 is [PAD], never a real token here
  batch.ids = torch::randint(firstId, opt.vocab, {B, T}, torch::kInt64);          // [B,T]
  batch.lengths = torch::full({B}, T, torch::kInt64);                              // [B]
  if (opt.minLen > 0 && opt.minLen < T) {
    batch.lengths = torch::randint(opt.minLen, T + 1, {B}, torch::kInt64);        // [B]
    batch.lengths[0] = T;
    const auto pad = torch::arange(T, torch::kInt64).unsqueeze(0) >= batch.lengths.unsqueeze(1);  // [B,T]
    batch.ids.masked_fill_(pad, 0);
  }
  batch.targets = lm ? torch::randint(opt.vocab, {B, T}, torch::kInt64)           // [B,T] next tokens
                     : torch::randint(opt.classes, {B}, torch::kInt64);           // [B]
  if (lm && opt.minLen > 0 && opt.minLen < T)
    batch.targets.masked_fill_(torch::arange(T, torch::kInt64).unsqueeze(0) >= batch.lengths.unsqueeze(1), -100);
  batch.tokens = batch.lengths.sum().item<int64_t>();
  r.realTokens = batch.tokens;
  batch.predicted = lm ? (batch.targets != -100).sum().item<int64_t>() : B;

  // ---- One step, as TrainingJob's loop does it with grad_accum 1 and clipping at 1.0 (keep the two
  // in step): the trainer's forwardLoss (fused LM head + cross-entropy, or classLogits +
  // cross-entropy) under its AutocastScope, backward, clipGradNorm (the scale folded into AdamW).
  const LossOptions lossOptions;
  auto step = [&]() -> double {
    optimizer->zeroGrad();
    torch::Tensor loss;
    {
      AutocastScope autocast(r.bf16);
      loss = (bert ? forwardLoss(*bertModel, batch, lossOptions) : forwardLoss(*llama, batch, lossOptions)).loss;
    }
    const double value = loss.item<double>();
    (loss / 1.0).backward();
    if (r.bf16) at::autocast::clear_cache();
    const double norm = optimizer->clipGradNorm(1.0);
    if (!std::isfinite(value) || !std::isfinite(norm)) throw std::runtime_error("bench train: the loss or gradient is not finite");
    optimizer->step(3e-4);
    return value;
  };

  for (int i = 0; i < opt.warmup; ++i) step();
  r.stepTimesMs.reserve(static_cast<size_t>(opt.steps));
  double seconds = 0;
  {
    // The profiler's own cost lands in the figures: a profiled run's tokens_per_s is not the speed.
    std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
    if (!opt.profileTrace.empty()) profile = std::make_unique<torch::autograd::profiler::RecordProfile>(opt.profileTrace);
    const double t0 = nowSeconds(), c0 = cpuSeconds();
    for (int i = 0; i < opt.steps; ++i) {
      const double s0 = nowSeconds();
      const double loss = step();
      r.stepTimesMs.push_back((nowSeconds() - s0) * 1e3);
      if (i == 0) r.firstLoss = loss;
      r.lastLoss = loss;
    }
    seconds = (nowSeconds() - t0) / opt.steps;
    r.cpuMsPerStep = (cpuSeconds() - c0) / opt.steps * 1e3;
  }
  r.peakRssMb = peakRssMb();  // before the matrix-product probe allocates its own operands

  r.stepMs = seconds * 1e3;
  r.tokensPerS = static_cast<double>(B * T) / seconds;
  auto sorted = r.stepTimesMs;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  r.medianStepMs = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  const double tokens = static_cast<double>(B * T);
  r.flopsPerStep = 6.0 * static_cast<double>(r.matmulParams) * tokens +
                   12.0 * opt.layers * static_cast<double>(opt.dim) * static_cast<double>(T) * tokens;
  r.achievedGflops = r.flopsPerStep / seconds / 1e9;
  r.matmulDtype = r.bf16 ? "bfloat16" : "float32";
  r.matmulGflops = matmulGflops(r.bf16);
  r.mfu = r.matmulGflops > 0 ? r.achievedGflops / r.matmulGflops : 0;
  return r;
}

std::string formatText(const TrainBenchResult& r) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "params=%lld step_ms=%.1f tokens_per_s=%.0f\n"
                "median_step_ms=%.1f cpu_ms_per_step=%.1f model_gflops=%.1f matmul_gflops=%.1f (%s, %d threads) mfu=%.3f peak_rss_mb=%.0f "
                "loss=%.4f->%.4f\n",
                static_cast<long long>(r.params), r.stepMs, r.tokensPerS, r.medianStepMs, r.cpuMsPerStep, r.achievedGflops, r.matmulGflops,
                r.matmulDtype.c_str(), r.options.threads, r.mfu, r.peakRssMb, r.firstLoss, r.lastLoss);
  std::string out = buf;
  if (!r.note.empty()) out += "note: " + r.note + "\n";
  return out;
}

std::string formatJson(const TrainBenchResult& r) {
  const auto& o = r.options;
  nlohmann::json j{
      {"tokens_per_s", r.tokensPerS},
      {"step_ms", r.stepMs},
      {"median_step_ms", r.medianStepMs},
      {"cpu_ms_per_step", r.cpuMsPerStep},
      {"params", r.params},
      {"matmul_params", r.matmulParams},
      {"flops_per_step", r.flopsPerStep},
      {"model_gflops", r.achievedGflops},
      {"matmul_gflops", r.matmulGflops},
      {"matmul_dtype", r.matmulDtype},
      {"mfu", r.mfu},
      {"peak_rss_mb", r.peakRssMb},
      {"first_loss", r.firstLoss},
      {"last_loss", r.lastLoss},
      {"step_times_ms", r.stepTimesMs},
      {"bf16", r.bf16},
      {"arch", o.arch},
      {"shape",
       {{"arch", o.arch}, {"task", o.task}, {"min_len", o.minLen}, {"dim", o.dim}, {"layers", o.layers}, {"heads", o.heads}, {"vocab", o.vocab}, {"seq", o.seq},
        {"batch", o.batch}, {"ffn", r.ffn}, {"classes", o.task == "cls" ? o.classes : 0}, {"tokens", r.realTokens}}},
      {"steps", o.steps},
      {"warmup", o.warmup},
      {"threads", o.threads},
  };
  if (!r.note.empty()) j["note"] = r.note;
  return j.dump();
}

}  // namespace fts::bench
