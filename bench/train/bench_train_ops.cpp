// Each piece of a training step alone, fused kernel against the plain tensor-op version of the same
// math, forward + backward, at a model shape: where a step's time goes and what each kernel saves.
// Interleaved repetitions, median and best milliseconds. A benchmark, not a test.
//
// usage: bench_train_ops [--dim 256 --layers 4 --heads 4 --vocab 8000 --seq 128 --batch 16]
//                        [--threads 2] [--reps 15] [--bf16] [--only NAME]
#include "core/model/FusedAttention.h"
#include "core/model/FusedOps.h"
#include "core/model/LlamaModules.h"
#include "core/train/Optimizers.h"
#include "core/util/Runtime.h"

#include <torch/torch.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Processor time of the process (all threads): with OMP_WAIT_POLICY=passive, the work itself, which
// other programs' load disturbs much less than the wall time.
double cpuNow() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Case {
  std::string name;
  std::function<void()> fused, plain;
};

torch::Tensor leaf(const torch::Tensor& t) { return t.detach().clone().set_requires_grad(true); }

torch::Tensor plainRmsNorm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  auto xf = x.to(torch::kFloat32);
  return w * (xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps)).to(x.scalar_type());
}

torch::Tensor rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  return x * cos + torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1) * sin;
}

// LlamaAttentionImpl's tensor-op path (mask added, fp32 softmax).
torch::Tensor plainAttention(const torch::Tensor& qkv, const torch::Tensor& cos, const torch::Tensor& sin, const torch::Tensor& mask,
                             int64_t H, double scale) {
  const int64_t B = qkv.size(0), T = qkv.size(1), Dh = qkv.size(2) / (3 * H);
  auto q = qkv.narrow(-1, 0, H * Dh).view({B, T, H, Dh}).transpose(1, 2);
  auto k = qkv.narrow(-1, H * Dh, H * Dh).view({B, T, H, Dh}).transpose(1, 2);
  auto v = qkv.narrow(-1, 2 * H * Dh, H * Dh).view({B, T, H, Dh}).transpose(1, 2);
  q = rope(q, cos, sin);
  k = rope(k, cos, sin);
  auto s = torch::matmul(q, k.transpose(-2, -1)) * scale + mask;
  auto p = torch::softmax(s, -1, torch::kFloat32).to(q.scalar_type());
  return torch::matmul(p, v).transpose(1, 2).reshape({B, T, H * Dh});
}

}  // namespace

int main(int argc, char** argv) {
  int dim = 256, layers = 4, heads = 4, vocab = 8000, seq = 128, batch = 16, threads = 2, reps = 15;
  bool bf16 = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> int {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return std::atoi(argv[++i]);
    };
    if (a == "--dim") dim = next();
    else if (a == "--layers") layers = next();
    else if (a == "--heads") heads = next();
    else if (a == "--vocab") vocab = next();
    else if (a == "--seq") seq = next();
    else if (a == "--batch") batch = next();
    else if (a == "--threads") threads = next();
    else if (a == "--reps") reps = next();
    else if (a == "--bf16") bf16 = true;
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "error: unknown argument %s (see the usage at the top of bench_train_ops.cpp)\n", a.c_str());
      return 2;
    }
  }
  fts::configureThreads(threads);
  torch::manual_seed(0);
  const auto act = bf16 ? torch::kBFloat16 : torch::kFloat32;  // activation dtype of the products under autocast
  const int64_t B = batch, T = seq, D = dim, H = heads, Dh = D / H, N = B * T;
  const int64_t F = 64 * ((8 * D / 3 + 63) / 64);
  std::printf("shape: dim %lld, heads %lld, seq %lld, batch %lld, vocab %d, ffn %lld; %d threads; %s activations\n",
              (long long)D, (long long)H, (long long)T, (long long)B, vocab, (long long)F, fts::currentThreads(),
              bf16 ? "bf16" : "fp32");

  std::vector<Case> cases;
  // Embedding: lookup and the dense [V,D] gradient.
  {
    auto w = leaf(torch::randn({vocab, D}) * 0.02);
    auto ids = torch::randint(vocab, {B, T}, torch::kInt64);
    auto gy = torch::randn({B, T, D});
    cases.push_back({"embedding", [=] { (fts::fusedEmbedding(ids, w) * gy).sum().backward(); w.mutable_grad() = torch::Tensor(); },
                     [=] { (torch::embedding(w, ids) * gy).sum().backward(); w.mutable_grad() = torch::Tensor(); }});
  }
  // RMSNorm on [B,T,D].
  {
    auto x = leaf(torch::randn({B, T, D}).to(act));
    auto w = leaf(torch::ones({D}));
    auto gy = torch::randn({B, T, D});
    cases.push_back({"rmsnorm", [=] { fts::fusedRmsNorm(x, w, 1e-5).backward(gy); x.mutable_grad() = torch::Tensor(); w.mutable_grad() = torch::Tensor(); },
                     [=] { plainRmsNorm(x, w, 1e-5).backward(gy); x.mutable_grad() = torch::Tensor(); w.mutable_grad() = torch::Tensor(); }});
  }
  // SwiGLU on the fused gate/up product [B,T,2F].
  {
    auto gu = leaf(torch::randn({B, T, 2 * F}).to(act));
    auto gh = torch::randn({B, T, F}).to(act);
    cases.push_back({"swiglu", [=] { fts::fusedSwiGlu(gu).backward(gh); gu.mutable_grad() = torch::Tensor(); },
                     [=] {
                       (torch::silu(gu.narrow(-1, 0, F)) * gu.narrow(-1, F, F)).backward(gh);
                       gu.mutable_grad() = torch::Tensor();
                     }});
  }
  // Causal attention with RoPE on the fused qkv product [B,T,3D].
  if (fts::fusedAttentionAvailable()) {
    auto qkv = leaf(torch::randn({B, T, 3 * D}).to(act));
    auto inv = 1.0 / torch::pow(10000.0, torch::arange(0, Dh, 2, torch::kFloat64) / static_cast<double>(Dh));
    auto f = torch::outer(torch::arange(T, torch::kFloat64), inv);
    auto emb = torch::cat({f, f}, -1);
    auto cos = emb.cos().to(torch::kFloat32), sin = emb.sin().to(torch::kFloat32);
    auto mask = torch::full({T, T}, -INFINITY).triu(1);
    auto gy = torch::randn({B, T, D}).to(act);
    const double scale = 1.0 / std::sqrt(static_cast<double>(Dh));
    cases.push_back({"attention", [=] { fts::fusedCausalAttention(qkv, cos, sin, H, H, scale).backward(gy); qkv.mutable_grad() = torch::Tensor(); },
                     [=] {
                       plainAttention(qkv, cos.to(act), sin.to(act), mask.to(act), H, scale).backward(gy);
                       qkv.mutable_grad() = torch::Tensor();
                     }});
  }
  // The LM head and its cross-entropy: hidden [N,D] x weight [V,D]^T.
  {
    auto h = leaf(torch::randn({N, D}).to(act));
    auto w = leaf((torch::randn({vocab, D}) * 0.02).to(act));
    auto t = torch::randint(vocab, {N}, torch::kInt64);
    cases.push_back({"lm head + cross-entropy", [=] {
                       fts::fusedLinearCrossEntropy(h, w, t, -100, 0.0).backward();
                       h.mutable_grad() = torch::Tensor();
                       w.mutable_grad() = torch::Tensor();
                     },
                     [=] {
                       torch::nn::functional::cross_entropy(torch::mm(h, w.t()).to(torch::kFloat32), t).backward();
                       h.mutable_grad() = torch::Tensor();
                       w.mutable_grad() = torch::Tensor();
                     }});
  }
  // The LM head's three products alone (forward, and the two gradients), for scale.
  {
    auto h = torch::randn({N, D}).to(act);
    auto w = (torch::randn({vocab, D}) * 0.02).to(act);
    auto g = torch::randn({N, vocab}).to(act) * 1e-4;
    cases.push_back({"lm head products only", [=] {
                       auto l = torch::mm(h, w.t());
                       auto dh = torch::mm(g, w);
                       auto dw = torch::mm(g.t(), h);
                     },
                     nullptr});
  }
  // Clipping and AdamW over a model's parameters (ref_train's shape: separate head).
  {
    std::vector<torch::Tensor> ps;
    ps.push_back(torch::randn({vocab, D}));
    for (int l = 0; l < layers; ++l) {
      for (int k = 0; k < 4; ++k) ps.push_back(torch::randn({D, D}));
      ps.push_back(torch::randn({F, D}));
      ps.push_back(torch::randn({F, D}));
      ps.push_back(torch::randn({D, F}));
      ps.push_back(torch::ones({D}));
      ps.push_back(torch::ones({D}));
    }
    ps.push_back(torch::ones({D}));
    ps.push_back(torch::randn({vocab, D}));
    std::vector<fts::NamedParam> named;
    for (size_t i = 0; i < ps.size(); ++i) {
      ps[i].set_requires_grad(true);
      ps[i].mutable_grad() = torch::randn_like(ps[i]) * 1e-3;
      named.push_back({"p" + std::to_string(i), ps[i], ps[i].dim() >= 2, 1.0});
    }
    auto opt = std::shared_ptr<fts::ParamOptimizer>(fts::makeAdamW(named, fts::AdamWSettings{}));
    cases.push_back({"clip_grad_norm_", [=] { torch::nn::utils::clip_grad_norm_(ps, 1e30); }, nullptr});
    cases.push_back({"sum of squares (one pass)", [=] { fts::sumOfSquares([&] {
                       std::vector<torch::Tensor> g;
                       for (const auto& p : ps) g.push_back(p.grad());
                       return g;
                     }()); }, nullptr});
    cases.push_back({"AdamW step", [=] { opt->step(1e-4); }, nullptr});
  }
  // A classifier's forward + backward: the last layer at the pooled token only (the "fused" column)
  // against the full pass then pooling (the "plain" column), as the trainer would call them.
  {
    fts::LlamaConfig c;
    c.vocab_size = vocab;
    c.hidden_size = dim;
    c.intermediate_size = static_cast<int>(F);
    c.num_hidden_layers = layers;
    c.num_attention_heads = heads;
    c.id2label = {"a", "b", "c", "d"};
    auto model = std::make_shared<fts::LlamaForTask>(c, fts::HeadKind::SequenceClassification);
    fts::initLlamaWeights(**model, 0);
    auto ids = torch::randint(vocab, {B, T}, torch::kInt64);
    auto lengths = torch::full({B}, T, torch::kInt64);
    auto targets = torch::randint(4, {B}, torch::kInt64);
    auto clear = [model] {
      for (auto& p : (*model)->parameters()) p.mutable_grad() = torch::Tensor();
    };
    cases.push_back({"classifier step, pooled", [=] {
                       auto& m = *model;
                       torch::nn::functional::cross_entropy(m->classLogitsFromEmbeds(m->model->embed(ids), lengths), targets).backward();
                       clear();
                     },
                     [=] {
                       auto& m = *model;
                       torch::nn::functional::cross_entropy(m->classLogits(m->model->forwardEmbeds(m->model->embed(ids)), lengths), targets)
                           .backward();
                       clear();
                     }});
  }
  // The products of one decoder layer (forward and backward of each linear), for scale.
  {
    auto x = leaf(torch::randn({N, D}).to(act));
    auto wqkv = leaf(torch::randn({3 * D, D}).to(act) * 0.02), wo = leaf(torch::randn({D, D}).to(act) * 0.02);
    auto wgu = leaf(torch::randn({2 * F, D}).to(act) * 0.02), wd = leaf(torch::randn({D, F}).to(act) * 0.02);
    auto xf = leaf(torch::randn({N, F}).to(act));
    cases.push_back({"one layer's products", [=] {
                       torch::linear(x, wqkv).sum().backward();
                       torch::linear(x, wo).sum().backward();
                       torch::linear(x, wgu).sum().backward();
                       torch::linear(xf, wd).sum().backward();
                       for (auto t : {x, wqkv, wo, wgu, wd, xf}) t.mutable_grad() = torch::Tensor();
                     },
                     nullptr});
  }

  std::printf("milliseconds per forward+backward: wall median, and processor time median (all threads)\n");
  std::printf("%-28s %9s %9s %9s %9s %11s\n", "piece", "fused", "fused cpu", "plain", "plain cpu", "plain/fused");
  for (auto& c : cases) {
    if (!only.empty() && c.name.find(only) == std::string::npos) continue;
    std::vector<double> tf, tp, cf, cp;
    c.fused();
    if (c.plain) c.plain();
    for (int r = 0; r < reps; ++r) {
      double t0 = now(), c0 = cpuNow();
      c.fused();
      tf.push_back((now() - t0) * 1e3);
      cf.push_back((cpuNow() - c0) * 1e3);
      if (c.plain) {
        t0 = now();
        c0 = cpuNow();
        c.plain();
        tp.push_back((now() - t0) * 1e3);
        cp.push_back((cpuNow() - c0) * 1e3);
      }
    }
    auto med = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    if (tp.empty())
      std::printf("%-28s %9.2f %9.2f\n", c.name.c_str(), med(tf), med(cf));
    else
      std::printf("%-28s %9.2f %9.2f %9.2f %9.2f %5.2f (cpu %.2f)\n", c.name.c_str(), med(tf), med(cf), med(tp), med(cp),
                  med(tp) / med(tf), med(cp) / med(cf));
  }
  return 0;
}
