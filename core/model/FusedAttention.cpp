#include "core/model/FusedAttention.h"

#include "core/model/CpuKernels.h"
#include "core/util/Runtime.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

#ifdef FTS_HAVE_SGEMM
// The Fortran BLAS entry LibTorch itself calls (OpenBLAS here). Called from inside at::parallel_for,
// OpenBLAS's OpenMP build runs single-threaded, which is what small per-head products want.
extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const float* alpha,
                       const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c,
                       const int* ldc);
#endif

namespace fts {

#ifndef FTS_HAVE_SGEMM
bool fusedAttentionAvailable() { return false; }
torch::Tensor fusedCausalAttention(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&, int64_t, int64_t, double) {
  TORCH_CHECK(false, "fusedCausalAttention: built without a BLAS (FTS_HAVE_SGEMM); use the tensor-op path");
}
#else

bool fusedAttentionAvailable() {
  // Through the netlib reference BLAS the per-head products would be slower than LibTorch's path.
  // FTS_FUSED_ATTENTION=0 keeps the tensor-op path (to compare the two, or to rule the kernel out).
  static const bool on = [] {
    const char* env = std::getenv("FTS_FUSED_ATTENTION");
    return !(env && std::string(env) == "0") && !probeBlas().slow;
  }();
  return on;
}

namespace {

// Row-major C[M,N] = alpha * op(A)[M,K] op(B)[K,N] + beta * C, through the column-major BLAS:
// a row-major matrix is its own transpose in column-major order, so compute C^T = op(B)^T op(A)^T.
void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
          float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  const char ta = transA ? 'T' : 'N', tb = transB ? 'T' : 'N';
  sgemm_(&tb, &ta, &N, &M, &K, &alpha, B, &ldb, A, &lda, &beta, C, &ldc);
}

inline float toFloat(float v) { return v; }
inline float toFloat(c10::BFloat16 v) { return static_cast<float>(v); }
template <typename T>
inline T fromFloat(float v) {
  return static_cast<T>(v);
}

// RoPE on one head's [T,Dh] tile whose rows are ldx apart in the fused projection -> dense float tile.
template <typename T>
void ropeTile(const T* x, int64_t ldx, const float* cos, const float* sin, int T_, int Dh, float scale, float* y) {
  std::vector<float> row(std::is_same_v<T, float> ? 0 : Dh);
  for (int t = 0; t < T_; ++t) {
    const float* xr;
    if constexpr (std::is_same_v<T, float>) {
      xr = x + t * ldx;
    } else {
      for (int d = 0; d < Dh; ++d) row[d] = static_cast<float>(x[t * ldx + d]);
      xr = row.data();
    }
    const int64_t o = static_cast<int64_t>(t) * Dh;
    cpu::ropeRow(xr, cos + o, sin + o, Dh / 2, scale, y + o);
  }
}

// The gradient of x from a dense float tile g, written into rows ldx apart.
template <typename T>
void ropeBackwardTile(const float* g, const float* cos, const float* sin, int T_, int Dh, float scale, T* dx, int64_t ldx) {
  std::vector<float> row(std::is_same_v<T, float> ? 0 : Dh);
  for (int t = 0; t < T_; ++t) {
    const int64_t o = static_cast<int64_t>(t) * Dh;
    if constexpr (std::is_same_v<T, float>) {
      cpu::ropeBackwardRow(g + o, cos + o, sin + o, Dh / 2, scale, dx + t * ldx);
    } else {
      cpu::ropeBackwardRow(g + o, cos + o, sin + o, Dh / 2, scale, row.data());
      for (int d = 0; d < Dh; ++d) dx[t * ldx + d] = static_cast<T>(row[d]);
    }
  }
}

// Copies a [T,Dh] tile with rows ld apart into a dense float tile (or the reverse).
template <typename T>
void loadTile(const T* x, int64_t ld, int T_, int Dh, float* y) {
  for (int t = 0; t < T_; ++t)
    for (int d = 0; d < Dh; ++d) y[static_cast<int64_t>(t) * Dh + d] = toFloat(x[t * ld + d]);
}
template <typename T>
void storeTile(const float* x, int T_, int Dh, T* y, int64_t ld) {
  for (int t = 0; t < T_; ++t)
    for (int d = 0; d < Dh; ++d) y[t * ld + d] = fromFloat<T>(x[static_cast<int64_t>(t) * Dh + d]);
}

// Row blocks of the causal square: block [r0,r1) only sees keys [0,r1), so the products skip the
// upper triangle block by block. 64 rows keeps each BLAS call big enough to run near full speed.
constexpr int kBlock = 64;

struct Geometry {
  int64_t B, T, H, Hkv, Dh, group;
  int64_t ldIn;     // qkv row stride (elements)
  int64_t bsIn;     // qkv batch stride
  int64_t ldOut;    // H*Dh
  float scale;
};

// (batch, kv head) tasks per thread chunk: about 2^16 score entries of work each at least.
int64_t taskGrain(const Geometry& g) { return std::max<int64_t>(1, (int64_t{1} << 16) / (g.T * g.T * g.group)); }

template <typename T>
void forwardKernel(const Geometry& g, const T* qkv, const float* cos, const float* sin, T* out, float* probs) {
  const int Tn = static_cast<int>(g.T), Dh = static_cast<int>(g.Dh);
  at::parallel_for(0, g.B * g.Hkv, taskGrain(g), [&](int64_t begin, int64_t end) {
    std::vector<float> q(g.T * g.Dh), k(g.T * g.Dh), v(g.T * g.Dh), o(g.T * g.Dh);
    std::vector<float> scratch(probs ? 0 : g.T * g.T);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t b = task / g.Hkv, kv = task % g.Hkv;
      const T* base = qkv + b * g.bsIn;
      ropeTile(base + (g.H + kv) * g.Dh, g.ldIn, cos, sin, Tn, Dh, 1.0f, k.data());
      loadTile(base + (g.H + g.Hkv + kv) * g.Dh, g.ldIn, Tn, Dh, v.data());
      for (int64_t i = 0; i < g.group; ++i) {
        const int64_t h = kv * g.group + i;
        float* s = probs ? probs + (b * g.H + h) * g.T * g.T : scratch.data();  // [T,T]
        ropeTile(base + h * g.Dh, g.ldIn, cos, sin, Tn, Dh, g.scale, q.data());
        for (int r0 = 0; r0 < Tn; r0 += kBlock) {
          const int r1 = std::min(Tn, r0 + kBlock), rows = r1 - r0;
          float* sb = s + static_cast<int64_t>(r0) * Tn;
          gemm(false, true, rows, r1, Dh, 1.0f, q.data() + r0 * Dh, Dh, k.data(), Dh, 0.0f, sb, Tn);  // [rows,r1]
          for (int r = r0; r < r1; ++r) cpu::softmaxRow(s + static_cast<int64_t>(r) * Tn, r + 1, Tn);
          gemm(false, false, rows, Dh, r1, 1.0f, sb, Tn, v.data(), Dh, 0.0f, o.data() + r0 * Dh, Dh);  // [rows,Dh]
        }
        storeTile(o.data(), Tn, Dh, out + b * g.T * g.ldOut + h * g.Dh, g.ldOut);
      }
    }
  });
}

template <typename T>
void backwardKernel(const Geometry& g, const T* qkv, const float* cos, const float* sin, const float* probs, const T* gout,
                    T* gqkv) {
  const int Tn = static_cast<int>(g.T), Dh = static_cast<int>(g.Dh);
  at::parallel_for(0, g.B * g.Hkv, taskGrain(g), [&](int64_t begin, int64_t end) {
    const int64_t tile = g.T * g.Dh;
    std::vector<float> q(tile), k(tile), v(tile), dout(tile), dq(tile), dk(tile), dv(tile), dp(g.T * g.T);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t b = task / g.Hkv, kv = task % g.Hkv;
      const T* base = qkv + b * g.bsIn;
      const int64_t ldG = (g.H + 2 * g.Hkv) * g.Dh;  // the gradient is dense: rows (H+2Hkv)*Dh apart
      T* gbase = gqkv + b * g.T * ldG;
      ropeTile(base + (g.H + kv) * g.Dh, g.ldIn, cos, sin, Tn, Dh, 1.0f, k.data());
      loadTile(base + (g.H + g.Hkv + kv) * g.Dh, g.ldIn, Tn, Dh, v.data());
      std::fill(dk.begin(), dk.end(), 0.0f);
      std::fill(dv.begin(), dv.end(), 0.0f);
      for (int64_t i = 0; i < g.group; ++i) {
        const int64_t h = kv * g.group + i;
        const float* p = probs + (b * g.H + h) * g.T * g.T;  // [T,T], zero above the diagonal
        ropeTile(base + h * g.Dh, g.ldIn, cos, sin, Tn, Dh, g.scale, q.data());
        loadTile(gout + b * g.T * g.ldOut + h * g.Dh, g.ldOut, Tn, Dh, dout.data());
        // dV[c0:c1] += P[c0:T, c0:c1]^T dO[c0:T]: keys of block c are seen by rows c0.. only.
        for (int c0 = 0; c0 < Tn; c0 += kBlock) {
          const int c1 = std::min(Tn, c0 + kBlock);
          gemm(true, false, c1 - c0, Dh, Tn - c0, 1.0f, p + static_cast<int64_t>(c0) * Tn + c0, Tn, dout.data() + c0 * Dh, Dh,
               1.0f, dv.data() + c0 * Dh, Dh);
        }
        // dP = dO V^T on the causal blocks, then the softmax backward turns it into dS in place.
        for (int r0 = 0; r0 < Tn; r0 += kBlock) {
          const int r1 = std::min(Tn, r0 + kBlock);
          gemm(false, true, r1 - r0, r1, Dh, 1.0f, dout.data() + r0 * Dh, Dh, v.data(), Dh, 0.0f,
               dp.data() + static_cast<int64_t>(r0) * Tn, Tn);
          for (int r = r0; r < r1; ++r)
            cpu::softmaxBackwardRow(p + static_cast<int64_t>(r) * Tn, dp.data() + static_cast<int64_t>(r) * Tn, r + 1, r1);
          // dQs[r0:r1] = dS[r0:r1, 0:r1] K[0:r1]  (Qs = scale * rope(q))
          gemm(false, false, r1 - r0, Dh, r1, 1.0f, dp.data() + static_cast<int64_t>(r0) * Tn, Tn, k.data(), Dh, 0.0f,
               dq.data() + r0 * Dh, Dh);
        }
        // dK[c0:c1] += dS[c0:T, c0:c1]^T Qs[c0:T]
        for (int c0 = 0; c0 < Tn; c0 += kBlock) {
          const int c1 = std::min(Tn, c0 + kBlock);
          gemm(true, false, c1 - c0, Dh, Tn - c0, 1.0f, dp.data() + static_cast<int64_t>(c0) * Tn + c0, Tn, q.data() + c0 * Dh,
               Dh, 1.0f, dk.data() + c0 * Dh, Dh);
        }
        ropeBackwardTile(dq.data(), cos, sin, Tn, Dh, g.scale, gbase + h * g.Dh, ldG);
      }
      ropeBackwardTile(dk.data(), cos, sin, Tn, Dh, 1.0f, gbase + (g.H + kv) * g.Dh, ldG);
      storeTile(dv.data(), Tn, Dh, gbase + (g.H + g.Hkv + kv) * g.Dh, ldG);
    }
  });
}

Geometry geometryOf(const torch::Tensor& qkv, int64_t heads, int64_t kvHeads, double scale) {
  TORCH_CHECK(qkv.dim() == 3, "fusedCausalAttention: qkv must be [B,T,(H+2Hkv)*Dh]");
  TORCH_CHECK(heads > 0 && kvHeads > 0 && heads % kvHeads == 0, "fusedCausalAttention: heads must be a multiple of kvHeads");
  const int64_t width = qkv.size(2);
  TORCH_CHECK(width % (heads + 2 * kvHeads) == 0, "fusedCausalAttention: last dimension is not (H+2Hkv)*Dh");
  TORCH_CHECK(qkv.stride(2) == 1, "fusedCausalAttention: the last dimension of qkv must be contiguous");
  Geometry g;
  g.B = qkv.size(0);
  g.T = qkv.size(1);
  g.H = heads;
  g.Hkv = kvHeads;
  g.Dh = width / (heads + 2 * kvHeads);
  TORCH_CHECK(g.Dh % 2 == 0, "fusedCausalAttention: head dim must be even for RoPE");
  g.group = heads / kvHeads;
  g.ldIn = qkv.stride(1);
  g.bsIn = qkv.stride(0);
  g.ldOut = heads * g.Dh;
  g.scale = static_cast<float>(scale);
  return g;
}

class FusedAttentionFunction : public torch::autograd::Function<FusedAttentionFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& qkv, const torch::Tensor& cos,
                               const torch::Tensor& sin, int64_t heads, int64_t kvHeads, double scale) {
    RECORD_FUNCTION("fts::fusedCausalAttention", std::vector<c10::IValue>());
    const Geometry g = geometryOf(qkv, heads, kvHeads, scale);
    auto c = cos.narrow(0, 0, g.T).to(torch::kFloat32).contiguous();  // [T,Dh]
    auto s = sin.narrow(0, 0, g.T).to(torch::kFloat32).contiguous();
    TORCH_CHECK(c.size(1) == g.Dh, "fusedCausalAttention: rotary tables do not match the head dim");
    auto out = torch::empty({g.B, g.T, g.ldOut}, qkv.options());  // [B,T,H*Dh]
    const bool save = qkv.requires_grad();
    torch::Tensor probs = save ? torch::empty({g.B, g.H, g.T, g.T}, qkv.options().dtype(torch::kFloat32)) : torch::Tensor();
    float* pp = save ? probs.data_ptr<float>() : nullptr;
    if (qkv.scalar_type() == torch::kFloat32) {
      forwardKernel(g, qkv.data_ptr<float>(), c.data_ptr<float>(), s.data_ptr<float>(), out.data_ptr<float>(), pp);
    } else if (qkv.scalar_type() == torch::kBFloat16) {
      forwardKernel(g, qkv.data_ptr<c10::BFloat16>(), c.data_ptr<float>(), s.data_ptr<float>(), out.data_ptr<c10::BFloat16>(), pp);
    } else {
      TORCH_CHECK(false, "fusedCausalAttention: qkv must be float32 or bfloat16, not ", qkv.scalar_type());
    }
    if (save) {
      ctx->save_for_backward({qkv, c, s});
      ctx->saved_data["probs"] = probs;  // [B,H,T,T] fp32, the softmax output
      ctx->saved_data["heads"] = heads;
      ctx->saved_data["kvHeads"] = kvHeads;
      ctx->saved_data["scale"] = scale;
    }
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& qkv = saved[0];
    const auto& c = saved[1];
    const auto& s = saved[2];
    const auto probs = ctx->saved_data["probs"].toTensor();
    const Geometry g = geometryOf(qkv, ctx->saved_data["heads"].toInt(), ctx->saved_data["kvHeads"].toInt(),
                                  ctx->saved_data["scale"].toDouble());
    auto gout = grads[0].to(qkv.scalar_type()).contiguous();             // [B,T,H*Dh]
    auto gqkv = torch::empty({g.B, g.T, qkv.size(2)}, qkv.options());  // [B,T,(H+2Hkv)*Dh], every element written
    if (qkv.scalar_type() == torch::kFloat32) {
      backwardKernel(g, qkv.data_ptr<float>(), c.data_ptr<float>(), s.data_ptr<float>(), probs.data_ptr<float>(),
                     gout.data_ptr<float>(), gqkv.data_ptr<float>());
    } else {
      backwardKernel(g, qkv.data_ptr<c10::BFloat16>(), c.data_ptr<float>(), s.data_ptr<float>(), probs.data_ptr<float>(),
                     gout.data_ptr<c10::BFloat16>(), gqkv.data_ptr<c10::BFloat16>());
    }
    return {gqkv, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor fusedCausalAttention(const torch::Tensor& qkv, const torch::Tensor& cos, const torch::Tensor& sin,
                                   int64_t heads, int64_t kvHeads, double scale) {
  TORCH_CHECK(qkv.device().is_cpu(), "fusedCausalAttention runs on the CPU");
  return FusedAttentionFunction::apply(qkv, cos, sin, heads, kvHeads, scale);
}

#endif  // FTS_HAVE_SGEMM

}  // namespace fts
