#include "core/model/BertAttention.h"

#include "core/model/CpuKernels.h"
#include "core/model/FusedAttention.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <type_traits>
#include <vector>

#ifdef FTS_HAVE_SGEMM
// The Fortran BLAS entry LibTorch itself calls (OpenBLAS here); single-threaded inside at::parallel_for.
extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const float* alpha,
                       const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c,
                       const int* ldc);
#endif

namespace fts {

#ifndef FTS_HAVE_SGEMM
bool fusedBertAttentionAvailable() { return false; }
torch::Tensor fusedBertAttention(const torch::Tensor&, const torch::Tensor&, int64_t, double, double) {
  TORCH_CHECK(false, "fusedBertAttention: built without a BLAS (FTS_HAVE_SGEMM); use the tensor-op path");
}
uint64_t bertAttentionDropoutSeed() { return 0; }
torch::Tensor bertAttentionKeepMask(int64_t, int64_t, int64_t, double, uint64_t) {
  TORCH_CHECK(false, "bertAttentionKeepMask: built without the fused attention");
}
#else

// The same switch and BLAS probe as the causal kernel.
bool fusedBertAttentionAvailable() { return fusedAttentionAvailable(); }

namespace {

// Row-major C[M,N] = op(A)[M,K] op(B)[K,N] (+ C when beta is 1) through the column-major BLAS.
void gemm(bool transA, bool transB, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float beta, float* C,
          int ldc) {
  if (M <= 0 || N <= 0) return;
  const char ta = transA ? 'T' : 'N', tb = transB ? 'T' : 'N';
  const float one = 1.0f;
  sgemm_(&tb, &ta, &N, &M, &K, &one, B, &ldb, A, &lda, &beta, C, &ldc);
}

// The same product in blocks of kBlock output rows: OpenBLAS threads a whole [T,T]-sized call even
// inside at::parallel_for (measured: 10x slower at 2 threads than at 1), not calls this small.
constexpr int kBlock = 64;
void gemmRows(bool transA, bool transB, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc) {
  for (int r0 = 0; r0 < M; r0 += kBlock) {
    const int rows = std::min(kBlock, M - r0);
    const float* a = transA ? A + r0 : A + static_cast<int64_t>(r0) * lda;  // op(A) rows r0.. : columns of A when transposed
    gemm(transA, transB, rows, N, K, a, lda, B, ldb, 0.0f, C + static_cast<int64_t>(r0) * ldc, ldc);
  }
}

// Dropout's keep decisions, drawn here rather than by torch's bernoulli_ (a slow pass of its own, and
// a [B,H,T,T] mask to keep for the backward): a splitmix64 stream per (batch, head) task, seeded from
// one draw of torch's generator, regenerated identically in the backward. 16 bits per decision.
struct KeepStream {
  uint64_t state;
  uint64_t bits = 0;
  int left = 0;
  KeepStream(uint64_t seed, int64_t task) : state(seed ^ (static_cast<uint64_t>(task) * 0xD1B54A32D192ED03ull)) {}
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  bool keep(uint32_t threshold) {  // P(keep) = 1 - threshold / 65536
    if (left == 0) {
      bits = next();
      left = 4;
    }
    const uint32_t r = static_cast<uint32_t>(bits & 0xFFFF);
    bits >>= 16;
    --left;
    return r >= threshold;
  }
};

// y = x * keep / (1 - p) over a [T,T] tile, the decisions in row-major order.
void applyKeep(const float* x, int64_t n, uint64_t seed, int64_t task, uint32_t threshold, float keepScale, float* y) {
  KeepStream ks(seed, task);
  for (int64_t i = 0; i < n; ++i) y[i] = ks.keep(threshold) ? x[i] * keepScale : 0.0f;
}

// A [T,Dh] tile whose rows are ld apart -> a dense float tile times scale (and back).
template <typename T>
void loadTile(const T* x, int64_t ld, int64_t rows, int64_t Dh, float scale, float* y) {
  for (int64_t t = 0; t < rows; ++t)
    for (int64_t d = 0; d < Dh; ++d) y[t * Dh + d] = static_cast<float>(x[t * ld + d]) * scale;
}
template <typename T>
void storeTile(const float* x, int64_t rows, int64_t Dh, float scale, T* y, int64_t ld) {
  for (int64_t t = 0; t < rows; ++t)
    for (int64_t d = 0; d < Dh; ++d) y[t * ld + d] = static_cast<T>(x[t * Dh + d] * scale);
}

struct Geometry {
  int64_t B, T, H, Dh, D;
  int64_t ldIn, bsIn;  // qkv row and batch strides (elements)
  float scale, keep;   // 1/sqrt(Dh); 1/(1-dropout) for kept weights
  bool dropout = false;
  uint32_t threshold = 0;  // dropout * 65536
  uint64_t seed = 0;
};

// (batch, head) tasks per thread chunk: about 2^16 score entries of work each at least.
int64_t taskGrain(const Geometry& g) { return std::max<int64_t>(1, (int64_t{1} << 16) / (g.T * g.T)); }

// probs [B,H,T,T] (the softmax, before dropout) or null when no backward follows.
template <typename T>
void forwardKernel(const Geometry& g, const T* qkv, const float* bias, T* out, float* probs) {
  const int Tn = static_cast<int>(g.T), Dh = static_cast<int>(g.Dh);
  at::parallel_for(0, g.B * g.H, taskGrain(g), [&](int64_t begin, int64_t end) {
    const int64_t tile = g.T * g.Dh, square = g.T * g.T;
    std::vector<float> q(tile), k(tile), v(tile), o(tile), dropped(g.dropout ? square : 0), scratch(probs ? 0 : square);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t b = task / g.H, h = task % g.H;
      const T* base = qkv + b * g.bsIn + h * g.Dh;
      loadTile(base, g.ldIn, g.T, g.Dh, g.scale, q.data());
      loadTile(base + g.D, g.ldIn, g.T, g.Dh, 1.0f, k.data());
      loadTile(base + 2 * g.D, g.ldIn, g.T, g.Dh, 1.0f, v.data());
      float* s = probs ? probs + task * square : scratch.data();                                 // [T,T]
      gemmRows(false, true, Tn, Tn, Dh, q.data(), Dh, k.data(), Dh, s, Tn);                        // q k^T / sqrt(Dh)
      const float* kb = bias ? bias + b * g.T : nullptr;                                          // [T]
      for (int64_t r = 0; r < g.T; ++r) {
        float* row = s + r * g.T;
        if (kb)
          for (int64_t j = 0; j < g.T; ++j) row[j] += kb[j];
        cpu::softmaxRow(row, Tn, Tn);
      }
      const float* p = s;
      if (g.dropout) {
        applyKeep(s, square, g.seed, task, g.threshold, g.keep, dropped.data());
        p = dropped.data();
      }
      gemmRows(false, false, Tn, Dh, Tn, p, Tn, v.data(), Dh, o.data(), Dh);                      // [T,Dh]
      storeTile(o.data(), g.T, g.Dh, 1.0f, out + b * g.T * g.D + h * g.Dh, g.D);
    }
  });
}

template <typename T>
void backwardKernel(const Geometry& g, const T* qkv, const float* probs, const T* gout, T* gqkv) {
  const int Tn = static_cast<int>(g.T), Dh = static_cast<int>(g.Dh);
  at::parallel_for(0, g.B * g.H, taskGrain(g), [&](int64_t begin, int64_t end) {
    const int64_t tile = g.T * g.Dh, square = g.T * g.T;
    std::vector<float> q(tile), k(tile), v(tile), dout(tile), dq(tile), dk(tile), dv(tile), dp(square), dropped(g.dropout ? square : 0);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t b = task / g.H, h = task % g.H;
      const T* base = qkv + b * g.bsIn + h * g.Dh;
      const int64_t ldG = 3 * g.D;  // the gradient is dense
      T* gbase = gqkv + b * g.T * ldG + h * g.Dh;
      loadTile(base, g.ldIn, g.T, g.Dh, g.scale, q.data());                                      // Qs = q / sqrt(Dh)
      loadTile(base + g.D, g.ldIn, g.T, g.Dh, 1.0f, k.data());
      loadTile(base + 2 * g.D, g.ldIn, g.T, g.Dh, 1.0f, v.data());
      loadTile(gout + b * g.T * g.D + h * g.Dh, g.D, g.T, g.Dh, 1.0f, dout.data());
      const float* p = probs + task * square;                                                    // [T,T]
      const float* pd = p;
      if (g.dropout) {
        applyKeep(p, square, g.seed, task, g.threshold, g.keep, dropped.data());  // the forward's decisions again
        pd = dropped.data();
      }
      gemmRows(true, false, Tn, Dh, Tn, pd, Tn, dout.data(), Dh, dv.data(), Dh);                  // dV = Pd^T dO
      gemmRows(false, true, Tn, Tn, Dh, dout.data(), Dh, v.data(), Dh, dp.data(), Tn);            // dPd = dO V^T
      if (g.dropout) applyKeep(dp.data(), square, g.seed, task, g.threshold, g.keep, dp.data());  // dP
      for (int64_t r = 0; r < g.T; ++r) cpu::softmaxBackwardRow(p + r * g.T, dp.data() + r * g.T, Tn, Tn);  // dS
      gemmRows(false, false, Tn, Dh, Tn, dp.data(), Tn, k.data(), Dh, dq.data(), Dh);             // dQs = dS K
      gemmRows(true, false, Tn, Dh, Tn, dp.data(), Tn, q.data(), Dh, dk.data(), Dh);              // dK = dS^T Qs
      storeTile(dq.data(), g.T, g.Dh, g.scale, gbase, ldG);                                      // dq = dQs / sqrt(Dh)
      storeTile(dk.data(), g.T, g.Dh, 1.0f, gbase + g.D, ldG);
      storeTile(dv.data(), g.T, g.Dh, 1.0f, gbase + 2 * g.D, ldG);
    }
  });
}

Geometry geometryOf(const torch::Tensor& qkv, int64_t heads, double scale, double dropout, uint64_t seed) {
  TORCH_CHECK(qkv.dim() == 3 && qkv.size(2) % (3 * heads) == 0, "fusedBertAttention: qkv must be [B,T,3*H*Dh]");
  TORCH_CHECK(qkv.stride(2) == 1, "fusedBertAttention: the last dimension of qkv must be contiguous");
  Geometry g;
  g.B = qkv.size(0);
  g.T = qkv.size(1);
  g.H = heads;
  g.D = qkv.size(2) / 3;
  g.Dh = g.D / heads;
  g.ldIn = qkv.stride(1);
  g.bsIn = qkv.stride(0);
  g.scale = static_cast<float>(scale);
  g.keep = dropout > 0 ? static_cast<float>(1.0 / (1.0 - dropout)) : 1.0f;
  g.dropout = dropout > 0;
  g.threshold = static_cast<uint32_t>(std::lround(dropout * 65536.0));
  g.seed = seed;
  return g;
}

template <typename Fn>
void dispatch(torch::ScalarType t, Fn&& f) {
  if (t == torch::kFloat32) return f(float{});
  if (t == torch::kBFloat16) return f(c10::BFloat16{});
  TORCH_CHECK(false, "fusedBertAttention: qkv must be float32 or bfloat16, not ", t);
}

class BertAttentionFunction : public torch::autograd::Function<BertAttentionFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& qkv, const torch::Tensor& keyBias,
                               int64_t heads, double scale, double dropout) {
    RECORD_FUNCTION("fts::fusedBertAttention", std::vector<c10::IValue>());
    const uint64_t seed = dropout > 0 ? bertAttentionDropoutSeed() : 0;
    const Geometry g = geometryOf(qkv, heads, scale, dropout, seed);
    const bool hasBias = keyBias.numel() > 0;  // an empty tensor stands for no mask (apply takes no undefined input)
    auto bias = hasBias ? keyBias.to(torch::kFloat32).reshape({g.B, g.T}).contiguous() : keyBias;
    auto out = torch::empty({g.B, g.T, g.D}, qkv.options());  // [B,T,D]
    const bool save = qkv.requires_grad();
    const auto f32 = qkv.options().dtype(torch::kFloat32);
    torch::Tensor probs = save ? torch::empty({g.B, g.H, g.T, g.T}, f32) : torch::Tensor();
    dispatch(qkv.scalar_type(), [&](auto tag) {
      using T = decltype(tag);
      forwardKernel(g, qkv.data_ptr<T>(), hasBias ? bias.data_ptr<float>() : nullptr, out.data_ptr<T>(),
                    save ? probs.data_ptr<float>() : nullptr);
    });
    if (save) {
      ctx->save_for_backward({qkv});
      ctx->saved_data["probs"] = probs;  // [B,H,T,T] fp32, the softmax output before dropout
      ctx->saved_data["seed"] = static_cast<int64_t>(seed);  // the dropout decisions are regenerated from it
      ctx->saved_data["heads"] = heads;
      ctx->saved_data["scale"] = scale;
      ctx->saved_data["dropout"] = dropout;
    }
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    const auto qkv = ctx->get_saved_variables()[0];
    const auto probs = ctx->saved_data["probs"].toTensor();
    const Geometry g = geometryOf(qkv, ctx->saved_data["heads"].toInt(), ctx->saved_data["scale"].toDouble(),
                                  ctx->saved_data["dropout"].toDouble(), static_cast<uint64_t>(ctx->saved_data["seed"].toInt()));
    auto gout = grads[0].to(qkv.scalar_type()).contiguous();   // [B,T,D]
    auto gqkv = torch::empty({g.B, g.T, 3 * g.D}, qkv.options());  // [B,T,3D], every element written
    dispatch(qkv.scalar_type(), [&](auto tag) {
      using T = decltype(tag);
      backwardKernel(g, qkv.data_ptr<T>(), probs.data_ptr<float>(), gout.data_ptr<T>(), gqkv.data_ptr<T>());
    });
    return {gqkv, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

uint64_t bertAttentionDropoutSeed() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get<at::CPUGeneratorImpl>()->random64();
}

torch::Tensor bertAttentionKeepMask(int64_t B, int64_t H, int64_t T, double dropout, uint64_t seed) {
  auto mask = torch::empty({B, H, T, T});
  const auto threshold = static_cast<uint32_t>(std::lround(dropout * 65536.0));
  auto ones = torch::ones({T, T});
  for (int64_t task = 0; task < B * H; ++task)
    applyKeep(ones.data_ptr<float>(), T * T, seed, task, threshold, 1.0f, mask.data_ptr<float>() + task * T * T);
  return mask;
}

torch::Tensor fusedBertAttention(const torch::Tensor& qkv, const torch::Tensor& keyBias, int64_t heads, double scale,
                                 double dropout) {
  TORCH_CHECK(qkv.device().is_cpu(), "fusedBertAttention runs on the CPU");
  const torch::Tensor bias = keyBias.defined() ? keyBias : torch::empty({0}, qkv.options().dtype(torch::kFloat32));
  return BertAttentionFunction::apply(qkv, bias, heads, scale, dropout);
}

#endif  // FTS_HAVE_SGEMM

}  // namespace fts
