// Not a test: a quick speed figure for the BERT modules (forward + backward of a classifier step, no
// optimizer), printed as JSON; bench/train/ref_bert_train.py --no-optimizer is the same step in plain PyTorch for the
// comparison (run both interleaved, same threads). The engine's real benchmark is `ftstudio bench`.
//
// usage: bert_bench [--steps 5] [--warmup 2] [--threads 2] [--batch 16] [--seq 128] [--hidden 384]
//                   [--layers 6] [--heads 12] [--vocab 30522]
#include "core/model/BertModules.h"

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  int steps = 5, warmup = 2, threads = 2, B = 16, T = 128;
  fts::BertConfig c;  // MiniLM's shape: hidden 384, 6 layers, 12 heads, intermediate 1536
  c.hidden_size = 384;
  c.num_hidden_layers = 6;
  c.num_attention_heads = 12;
  c.intermediate_size = 1536;
  c.vocab_size = 30522;
  c.id2label = {"a", "b", "c", "d", "e", "f"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const int v = std::stoi(argv[i + 1]);
    if (a == "--steps") steps = v;
    else if (a == "--warmup") warmup = v;
    else if (a == "--threads") threads = v;
    else if (a == "--batch") B = v;
    else if (a == "--seq") T = v;
    else if (a == "--hidden") c.hidden_size = v, c.intermediate_size = 4 * v;
    else if (a == "--layers") c.num_hidden_layers = v;
    else if (a == "--heads") c.num_attention_heads = v;
    else if (a == "--vocab") c.vocab_size = v;
    else {
      std::cerr << "bert_bench: unknown option " << a << "\n";
      return 2;
    }
  }
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  fts::BertForSequenceClassification model(c);
  fts::initBertWeights(*model, c.pad_token_id, 1);
  model->train();  // dropout 0.1 as in fine-tuning
  auto ids = torch::randint(1, c.vocab_size, {B, T}, torch::kInt64);  // [B,T]
  auto mask = torch::ones({B, T}, torch::kInt64);
  auto labels = torch::randint(0, 6, {B}, torch::kInt64);
  std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;  // FTS_BENCH_TRACE=file: a Chrome trace
  if (const char* trace = std::getenv("FTS_BENCH_TRACE")) profile = std::make_unique<torch::autograd::profiler::RecordProfile>(trace);
  std::vector<double> ms;
  for (int s = 0; s < warmup + steps; ++s) {
    for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
    const auto t0 = std::chrono::steady_clock::now();
    auto logits = model->classLogitsFromEmbeds(model->bert->embed(ids), mask);
    torch::nn::functional::cross_entropy(logits, labels).backward();
    const double dt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (s >= warmup) ms.push_back(dt);
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  std::cout << "{\"impl\": \"ours\", \"median_ms\": " << median << ", \"tokens_per_s\": " << (B * T) / (median / 1000.0)
            << ", \"threads\": " << threads << "}" << std::endl;
  return 0;
}
