#include "app/cli/CliBench.h"

#include "core/bench/TrainBench.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <memory>
#include <vector>

namespace fts::cli {

void addBenchCommands(CLI::App& app, int& exitCode) {
  auto* bench = app.add_subcommand("bench", "Measure this machine: training speed against plain PyTorch");
  bench->require_subcommand(1);

  struct TrainFlags {
    bench::TrainBenchOptions o;
    bool json = false;
  };
  auto flags = std::make_shared<TrainFlags>();
  auto* train = bench->add_subcommand(
      "train", "Tokens per second of our training step (forward, loss, backward, clipping, AdamW) on random data; "
               "the flags of ref_train.py");
  auto& o = flags->o;
  train->add_option("--arch", o.arch, "llama (ref_train.py's decoder) or bert (BertForSequenceClassification, bench/train/ref_bert_train.py)")
      ->check(CLI::IsMember({"llama", "bert"}))
      ->capture_default_str();
  train->add_option("--dim", o.dim, "Hidden size")->capture_default_str();
  train->add_option("--layers", o.layers, "Decoder or encoder layers")->capture_default_str();
  train->add_option("--heads", o.heads, "Attention heads")->capture_default_str();
  train->add_option("--ffn", o.ffn, "Intermediate size (0: llama's ref_train rule, bert's 4 x dim)")->capture_default_str();
  train->add_option("--vocab", o.vocab, "Vocabulary size")->capture_default_str();
  train->add_option("--seq", o.seq, "Tokens per sequence")->capture_default_str();
  train->add_option("--batch", o.batch, "Sequences per step")->capture_default_str();
  train->add_option("--min-len", o.minLen,
                    "Shortest row: lengths uniform in [min-len, seq], right-padded as real batches (0: full rows)")
      ->capture_default_str();
  train->add_option("--steps", o.steps, "Timed steps")->capture_default_str();
  train->add_option("--warmup", o.warmup, "Untimed steps first")->capture_default_str();
  train->add_option("--threads", o.threads, "CPU threads (0: all cores)")->capture_default_str();
  train->add_option("--classes", o.classes, "Classes for --task cls")->capture_default_str();
  train->add_option("--task", o.task, "lm (causal LM) or cls (sequence classification); default lm for llama, cls for bert")
      ->check(CLI::IsMember({"lm", "cls"}))
      ->capture_default_str();
  train->add_flag("--bf16", o.bf16, "bf16 autocast (as train.bf16)");
  train->add_option("--profile", o.profileTrace,
                    "Write a Chrome trace of the timed steps to this file (LibTorch's profiler; slows the steps)");
  train->add_flag("--json", flags->json, "Print one JSON object (tokens_per_s, step_ms, params, mfu, peak_rss_mb, ...)");
  // --arch bert without shape flags measures all-MiniLM-L6-v2's shape (ref_bert_train.py's defaults):
  // each flag left out takes MiniLM's value instead of the decoder's (--ffn stays 0: 4 x dim, 1536).
  struct Default {
    CLI::Option* flag;
    int* value;
    int minilm;
  };
  std::vector<Default> minilm{{train->get_option("--dim"), &o.dim, 384},     {train->get_option("--layers"), &o.layers, 6},
                              {train->get_option("--heads"), &o.heads, 12},
                              {train->get_option("--vocab"), &o.vocab, 30522}, {train->get_option("--classes"), &o.classes, 6}};
  train->callback([flags, minilm, &exitCode] {
    try {
      if (flags->o.arch == "bert")
        for (const auto& d : minilm)
          if (d.flag->count() == 0) *d.value = d.minilm;
      const auto r = bench::runTrainBench(flags->o);
      const std::string out = flags->json ? bench::formatJson(r) + "\n" : bench::formatText(r);
      std::fputs(out.c_str(), stdout);
      exitCode = 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: bench train: %s\n", e.what());
      exitCode = 1;
    }
  });
}

}  // namespace fts::cli
