#pragma once
// `ftstudio bench train`: how many tokens per second our training step does on this machine, on
// random data of a given shape, with the flags and output of ../shared/bench/ref_train.py (plain
// PyTorch) so the two compare one to one. Torch-free header (the CLI includes it).
#include <cstdint>
#include <string>
#include <vector>

namespace fts::bench {

// Same names and defaults as ref_train.py (arch llama) and bench/train/ref_bert_train.py (arch bert),
// except threads: 0 means all available cores.
struct TrainBenchOptions {
  std::string arch = "llama";  // llama (LlamaForTask, ref_train.py) | bert (BertForSequenceClassification)
  int dim = 256, layers = 4, heads = 4, vocab = 8000, seq = 128, batch = 16;
  int steps = 20, warmup = 3, threads = 0, classes = 4;
  int ffn = 0;     // intermediate size; 0: the arch's rule (llama: ref_train's, bert: 4 * dim)
  // Shortest row: row lengths are drawn uniformly in [minLen, seq] and the rest right-padded, as the
  // trainer's batches are; 0 (or seq) means full rows, no padding. Tokens per second count every
  // position, padded or not (the peers compute them too).
  int minLen = 0;
  std::string task;  // lm (causal LM, fused head + cross-entropy) | cls (sequence classification); empty: lm for llama, cls for bert
  bool bf16 = false;        // bf16 autocast, as the trainer's train.bf16
  std::string profileTrace; // when set: a Chrome trace of the timed steps (LibTorch's profiler) goes here
};

struct TrainBenchResult {
  TrainBenchOptions options;  // as run (threads, task and ffn resolved)
  int ffn = 0;                // llama: 64 * ceil((8*dim/3) / 64), ref_train's rule; bert: 4 * dim unless --ffn
  bool bf16 = false;          // autocast on (false when asked for but the CPU has no native bf16)
  std::string note;           // why bf16 was not used, else empty
  std::int64_t params = 0;        // every parameter (embedding, layers, head)
  std::int64_t matmulParams = 0;  // those that enter matrix products: all but the embedding tables
  double stepMs = 0;              // mean over the timed steps (what ref_train prints)
  double medianStepMs = 0;
  // Processor time of the whole process per timed step (user + system, all threads). With idle
  // OpenMP threads sleeping (OMP_WAIT_POLICY=passive) it is the work itself, which other programs'
  // load changes far less than it changes the wall time; spinning threads count in it otherwise.
  double cpuMsPerStep = 0;
  std::int64_t realTokens = 0;    // tokens that are not padding in the batch (batch*seq without --min-len)
  double tokensPerS = 0;          // batch*seq / mean step (padded positions included)
  // Model FLOPs per step: 6 * matmulParams * tokens (forward 2, backward 4) plus attention,
  // 12 * layers * dim * seq per token (QK^T and PV, forward and backward, the full square as
  // PaLM's MFU counts it, though the causal kernel skips the upper half; BERT's attention is the full
  // square).
  double flopsPerStep = 0;
  double achievedGflops = 0;  // flopsPerStep / mean step
  double matmulGflops = 0;    // best of a few 2048^3 products in the run's dtype, same threads
  std::string matmulDtype;    // "float32" or "bfloat16"
  double mfu = 0;             // achievedGflops / matmulGflops
  double peakRssMb = 0;       // getrusage ru_maxrss of this process at the end
  double firstLoss = 0, lastLoss = 0;  // the loss of the first and last steps (it must go down)
  std::vector<double> stepTimesMs;
};

// Throws std::invalid_argument naming the flag when a value is impossible.
void validate(const TrainBenchOptions& o);
TrainBenchResult runTrainBench(const TrainBenchOptions& o);

// "params=... step_ms=... tokens_per_s=..." (ref_train's line) then a line with MFU and memory.
std::string formatText(const TrainBenchResult& r);
// One JSON object; keys tokens_per_s, step_ms, params, mfu, peak_rss_mb, ...
std::string formatJson(const TrainBenchResult& r);

}  // namespace fts::bench
