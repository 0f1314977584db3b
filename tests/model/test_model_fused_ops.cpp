// The fused CPU ops (core/model/FusedOps, FusedAttention) against the plain tensor-op versions of the
// same math (HF Llama's), forward and backward, in float32 and bfloat16, on shapes with ragged edges
// (sizes that are not multiples of the vector width, GQA, strided inputs, ignored targets).
#include "core/model/FusedAttention.h"
#include "core/model/FusedOps.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <QtTest>

#include <cmath>

namespace {

// max |a-b| / max(1, max |b|): relative to the size of the reference.
double relErr(const torch::Tensor& a, const torch::Tensor& b) {
  auto af = a.to(torch::kFloat64), bf = b.to(torch::kFloat64);
  const double scale = std::max(1.0, bf.abs().max().item<double>());
  return (af - bf).abs().max().item<double>() / scale;
}

#define EXPECT_CLOSE(a, b, tol)                                                                                  \
  do {                                                                                                           \
    const double e_ = relErr((a), (b));                                                                          \
    QVERIFY2(e_ <= (tol), qPrintable(QString("%1 vs %2: relative error %3 > %4").arg(#a, #b).arg(e_).arg(tol))); \
  } while (0)

// ---- plain versions (what the model computes with fusion off) ----------------------------------

torch::Tensor plainRmsNorm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  auto xf = x.to(torch::kFloat32);
  auto normed = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps);
  return w * normed.to(x.scalar_type());
}

torch::Tensor plainSwiGlu(const torch::Tensor& gu) {
  const int64_t F = gu.size(-1) / 2;
  auto g = gu.narrow(-1, 0, F).to(torch::kFloat32), u = gu.narrow(-1, F, F).to(torch::kFloat32);
  return (torch::silu(g) * u).to(gu.scalar_type());
}

torch::Tensor rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {  // x [B,H,T,Dh]
  const int64_t half = x.size(-1) / 2;
  return x * cos + torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1) * sin;
}

// HF's attention with tensor ops: rotate_half RoPE, fp32 softmax, causal mask, GQA by repetition.
torch::Tensor plainAttention(const torch::Tensor& qkv, const torch::Tensor& cos, const torch::Tensor& sin, int64_t H,
                             int64_t Hkv, double scale) {
  const int64_t B = qkv.size(0), T = qkv.size(1), Dh = qkv.size(2) / (H + 2 * Hkv);
  auto q = qkv.narrow(-1, 0, H * Dh).view({B, T, H, Dh}).transpose(1, 2).to(torch::kFloat32);
  auto k = qkv.narrow(-1, H * Dh, Hkv * Dh).view({B, T, Hkv, Dh}).transpose(1, 2).to(torch::kFloat32);
  auto v = qkv.narrow(-1, (H + Hkv) * Dh, Hkv * Dh).view({B, T, Hkv, Dh}).transpose(1, 2).to(torch::kFloat32);
  auto c = cos.narrow(0, 0, T), s = sin.narrow(0, 0, T);
  q = rope(q, c, s);
  k = rope(k, c, s);
  k = k.repeat_interleave(H / Hkv, 1);
  v = v.repeat_interleave(H / Hkv, 1);
  auto scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  auto mask = torch::full({T, T}, -INFINITY).triu(1);
  auto p = torch::softmax(scores + mask, -1);
  return torch::matmul(p, v).transpose(1, 2).reshape({B, T, H * Dh}).to(qkv.scalar_type());
}

void ropeTables(int64_t T, int64_t Dh, torch::Tensor& cos, torch::Tensor& sin) {
  auto inv = 1.0 / torch::pow(10000.0, torch::arange(0, Dh, 2, torch::kFloat64) / static_cast<double>(Dh));
  auto f = torch::outer(torch::arange(T, torch::kFloat64), inv);
  auto emb = torch::cat({f, f}, -1);
  cos = emb.cos().to(torch::kFloat32);
  sin = emb.sin().to(torch::kFloat32);
}

// Leaf copies of a tensor for the two paths, each with its own gradient.
torch::Tensor leaf(const torch::Tensor& t) { return t.detach().clone().set_requires_grad(true); }

}  // namespace

class TestModelFusedOps : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    torch::manual_seed(7);
    torch::set_num_threads(2);  // the parallel paths (chunked reductions) run too
  }

  void linear_data() {
    QTest::addColumn<int>("out");
    QTest::addColumn<bool>("bias");
    QTest::newRow("small weight (oneDNN weight gradient), bias") << 45 << true;
    QTest::newRow("large weight (OpenBLAS weight gradient), no bias") << 1100 << false;
  }
  void linear() {
    QFETCH(int, out);
    QFETCH(bool, bias);
    auto x0 = torch::randn({3, 29, 259}), w0 = torch::randn({out, 259}) * 0.1, b0 = torch::randn({out});
    auto x1 = leaf(x0), w1 = leaf(w0), b1 = leaf(b0), x2 = leaf(x0), w2 = leaf(w0), b2 = leaf(b0);
    auto y1 = fts::fastLinear(x1, w1, bias ? b1 : torch::Tensor());
    auto y2 = torch::linear(x2, w2, bias ? b2 : torch::Tensor());
    QCOMPARE(y1.sizes(), y2.sizes());
    EXPECT_CLOSE(y1, y2, 1e-5);
    auto gy = torch::randn_like(y2);
    (y1 * gy).sum().backward();
    (y2 * gy).sum().backward();
    EXPECT_CLOSE(x1.grad(), x2.grad(), 1e-5);
    EXPECT_CLOSE(w1.grad(), w2.grad(), 1e-5);
    if (bias) EXPECT_CLOSE(b1.grad(), b2.grad(), 1e-5);
    // Under bf16 autocast it is torch::linear's product: bf16 out, as the model expects.
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    auto yb = fts::fastLinear(x0, w0);
    at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
    QCOMPARE(yb.scalar_type(), torch::kBFloat16);
    EXPECT_CLOSE(yb, torch::linear(x0, w0), 2e-2);
  }

  void embedding_data() {
    QTest::addColumn<bool>("autocast");
    QTest::newRow("float32") << false;
    QTest::newRow("under bf16 autocast (stays float32)") << true;
  }
  void embedding() {
    QFETCH(bool, autocast);
    const int64_t V = 301, D = 35;
    auto w0 = torch::randn({V, D});
    auto ids = torch::randint(V, {4, 50}, torch::kInt64);
    ids.index_put_({0, torch::indexing::Slice(0, 10)}, 7);  // repeated ids add up
    auto w1 = leaf(w0), w2 = leaf(w0);
    if (autocast) {
      at::autocast::set_cpu_enabled(true);
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    }
    auto y1 = fts::fusedEmbedding(ids, w1);
    auto y2 = torch::embedding(w2, ids);
    at::autocast::set_cpu_enabled(false);
    QCOMPARE(y1.sizes(), y2.sizes());
    QVERIFY(torch::equal(y1, y2));
    auto gy = torch::randn({4, 50, D});
    (y1 * gy).sum().backward();
    (y2 * gy).sum().backward();
    EXPECT_CLOSE(w1.grad(), w2.grad(), 1e-6);
    // A frozen table gets no gradient, and an id outside the table is an error, not a read past it.
    auto frozen = w0.clone();
    auto x = leaf(torch::randn({4, 50, D}));
    (fts::fusedEmbedding(ids, frozen) * x).sum().backward();
    QVERIFY(!frozen.grad().defined());
    QVERIFY_EXCEPTION_THROWN(fts::fusedEmbedding(torch::tensor({int64_t{0}, V}), w0), c10::Error);
  }

  void rmsNorm_data() {
    QTest::addColumn<bool>("bf16");
    QTest::newRow("float32") << false;
    QTest::newRow("bfloat16") << true;
  }
  void rmsNorm() {
    QFETCH(bool, bf16);
    const auto dt = bf16 ? torch::kBFloat16 : torch::kFloat32;
    auto x0 = (torch::randn({3, 37, 67}) * 3).to(dt);  // D = 67: a ragged vector tail
    auto w0 = torch::randn({67});
    auto gy = torch::randn({3, 37, 67});
    auto x1 = leaf(x0), w1 = leaf(w0), x2 = leaf(x0), w2 = leaf(w0);
    auto y1 = fts::fusedRmsNorm(x1, w1, 1e-5);
    auto y2 = plainRmsNorm(x2, w2, 1e-5);
    QCOMPARE(y1.scalar_type(), torch::kFloat32);
    EXPECT_CLOSE(y1, y2, bf16 ? 1e-2 : 1e-5);  // bf16: a rounding of the normalised row may flip
    (y1 * gy).sum().backward();
    (y2 * gy).sum().backward();
    EXPECT_CLOSE(x1.grad(), x2.grad(), bf16 ? 2e-2 : 1e-5);
    EXPECT_CLOSE(w1.grad(), w2.grad(), bf16 ? 1e-2 : 1e-5);
  }

  void swiGlu_data() { rmsNorm_data(); }
  void swiGlu() {
    QFETCH(bool, bf16);
    const auto dt = bf16 ? torch::kBFloat16 : torch::kFloat32;
    auto gu0 = (torch::randn({2, 19, 2 * 45}) * 4).to(dt);
    auto gh = torch::randn({2, 19, 45}).to(dt);
    auto a = leaf(gu0), b = leaf(gu0);
    auto y1 = fts::fusedSwiGlu(a);
    auto y2 = plainSwiGlu(b);
    QCOMPARE(y1.scalar_type(), dt);
    EXPECT_CLOSE(y1, y2, bf16 ? 1e-2 : 1e-5);
    (y1.to(torch::kFloat32) * gh.to(torch::kFloat32)).sum().backward();
    (y2.to(torch::kFloat32) * gh.to(torch::kFloat32)).sum().backward();
    EXPECT_CLOSE(a.grad(), b.grad(), bf16 ? 2e-2 : 1e-5);
  }

  void linearCrossEntropy_data() {
    QTest::addColumn<bool>("bf16");
    QTest::addColumn<double>("smoothing");
    QTest::addColumn<int>("chunk");
    QTest::newRow("float32") << false << 0.0 << 0;
    QTest::newRow("float32, label smoothing 0.1") << false << 0.1 << 0;
    QTest::newRow("float32, blocks of 16 rows (ragged last)") << false << 0.1 << 16;
    QTest::newRow("bfloat16") << true << 0.0 << 0;
  }
  void linearCrossEntropy() {
    QFETCH(bool, bf16);
    QFETCH(double, smoothing);
    QFETCH(int, chunk);
    const auto dt = bf16 ? torch::kBFloat16 : torch::kFloat32;
    const int64_t N = 53, D = 24, V = 101;
    auto h0 = torch::randn({N, D}).to(dt), w0 = (torch::randn({V, D}) * 0.5).to(dt);
    auto t = torch::randint(V, {N}, torch::kInt64);
    t.index_put_({torch::arange(0, N, 5)}, -100);  // ignored rows
    auto h1 = leaf(h0), w1 = leaf(w0), h2 = leaf(h0), w2 = leaf(w0);
    auto l1 = fts::fusedLinearCrossEntropy(h1, w1, t, -100, smoothing, chunk);
    auto logits = torch::mm(h2, w2.t()).to(torch::kFloat32);
    auto l2 = torch::nn::functional::cross_entropy(
        logits, t, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100).label_smoothing(smoothing));
    QCOMPARE(l1.scalar_type(), torch::kFloat32);
    EXPECT_CLOSE(l1, l2, bf16 ? 1e-3 : 1e-5);
    (l1 * 0.5).backward();  // an upstream gradient other than 1 (gradient accumulation)
    (l2 * 0.5).backward();
    EXPECT_CLOSE(h1.grad(), h2.grad(), bf16 ? 2e-2 : 1e-5);
    EXPECT_CLOSE(w1.grad(), w2.grad(), bf16 ? 2e-2 : 1e-5);
    // Without gradients (evaluation) the loss is the same, and a frozen weight gets none.
    {
      torch::NoGradGuard noGrad;
      EXPECT_CLOSE(fts::fusedLinearCrossEntropy(h0, w0, t, -100, smoothing, chunk), l2.detach(), bf16 ? 1e-3 : 1e-5);
    }
    auto h3 = leaf(h0);
    fts::fusedLinearCrossEntropy(h3, w0, t, -100, smoothing, chunk).backward();
    EXPECT_CLOSE(h3.grad(), h2.grad() * 2.0, bf16 ? 2e-2 : 1e-5);
    QVERIFY(!w0.grad().defined());
  }

  void causalAttention_data() {
    QTest::addColumn<bool>("bf16");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<int>("T");
    QTest::newRow("float32, multi-head, T 70 (two row blocks)") << false << 2 << 2 << 70;
    QTest::newRow("float32, GQA 4/2") << false << 4 << 2 << 33;
    QTest::newRow("bfloat16, GQA 4/2") << true << 4 << 2 << 70;
  }
  void causalAttention() {
    QFETCH(bool, bf16);
    QFETCH(int, heads);
    QFETCH(int, kvHeads);
    QFETCH(int, T);
    if (!fts::fusedAttentionAvailable()) QSKIP("built without a BLAS: the fused attention is not compiled in");
    const auto dt = bf16 ? torch::kBFloat16 : torch::kFloat32;
    const int64_t B = 3, Dh = 16, W = (heads + 2 * kvHeads) * Dh;
    // Rows strided as a slice of a wider projection, as the kernel accepts.
    auto wide0 = torch::randn({B, T, W + 8}).to(dt);
    torch::Tensor cos, sin;
    ropeTables(T + 5, Dh, cos, sin);  // longer tables than T: the kernel takes the first T rows
    const double scale = 1.0 / std::sqrt(static_cast<double>(Dh));
    auto a = leaf(wide0), b = leaf(wide0.narrow(-1, 0, W));
    auto qkvStrided = a.narrow(-1, 0, W);  // [B,T,W], rows W+8 apart
    QVERIFY(!qkvStrided.is_contiguous());
    auto y1 = fts::fusedCausalAttention(qkvStrided, cos, sin, heads, kvHeads, scale);
    auto y2 = plainAttention(b, cos, sin, heads, kvHeads, scale);
    QCOMPARE(y1.scalar_type(), dt);
    EXPECT_CLOSE(y1, y2, bf16 ? 1e-2 : 2e-5);
    auto gy = torch::randn({B, T, heads * Dh});
    (y1.to(torch::kFloat32) * gy).sum().backward();
    (y2.to(torch::kFloat32) * gy).sum().backward();
    EXPECT_CLOSE(a.grad().narrow(-1, 0, W), b.grad(), bf16 ? 3e-2 : 2e-5);
    QCOMPARE(a.grad().narrow(-1, W, 8).abs().max().item<double>(), 0.0);
  }

  void adamWUpdateMatchesTheFormula() {
    const int64_t n = 100003;  // several parallel chunks and a ragged tail
    auto p = torch::randn({n}), m = torch::zeros({n}), v = torch::zeros({n});
    auto pr = p.clone(), mr = m.clone(), vr = v.clone();
    const double lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1, gs = 0.5;
    for (int64_t step = 1; step <= 3; ++step) {
      auto g = torch::randn({n});
      fts::fusedAdamWUpdate(p, g, m, v, lr, b1, b2, eps, wd, step, gs);
      auto gg = g * gs;
      mr = mr * b1 + gg * (1 - b1);
      vr = vr * b2 + gg * gg * (1 - b2);
      const double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
      pr = pr * (1 - lr * wd) - (lr / bc1) * mr / ((vr / bc2).sqrt() + eps);
    }
    EXPECT_CLOSE(m, mr, 1e-6);
    EXPECT_CLOSE(v, vr, 1e-6);
    EXPECT_CLOSE(p, pr, 1e-6);
  }

  void sumOfSquaresMatchesDouble() {
    std::vector<torch::Tensor> ts{torch::randn({70001}), torch::randn({13, 7}), torch::Tensor(), torch::randn({5}).to(torch::kBFloat16)};
    double expect = 0;
    for (const auto& t : ts)
      if (t.defined()) expect += t.to(torch::kFloat64).pow(2).sum().item<double>();
    QVERIFY(std::abs(fts::sumOfSquares(ts) - expect) <= 1e-6 * expect);
  }
};

QTEST_GUILESS_MAIN(TestModelFusedOps)
#include "test_model_fused_ops.moc"
