#include "core/model/FusedOps.h"

#include "core/model/CpuKernels.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/record_function.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#ifdef FTS_HAVE_DNNL
// oneDNN's C entry (libdnnl.so.2, which LibTorch itself links): row-major C = alpha op(A) op(B) + beta C.
extern "C" int dnnl_sgemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
#endif

namespace fts {

bool fusedOpsEnabled() {
  static const bool on = [] {
    const char* env = std::getenv("FTS_FUSED_OPS");
    return !(env && std::string(env) == "0");
  }();
  return on;
}

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows per task so each task has about ATen's grain of work (32768 elements): smaller tensors run
// on one thread, since every parallel region is a barrier that a busy machine can stall.
int64_t rowGrain(int64_t rowWidth) { return std::max<int64_t>(1, at::internal::GRAIN_SIZE / std::max<int64_t>(1, rowWidth)); }

// Rows of a [N,W] tensor of float or bfloat16, read into / written from a float row buffer.
template <typename T>
inline const float* rowAsFloat(const T* src, int64_t w, float* buf) {
  if constexpr (std::is_same_v<T, float>) {
    return src;
  } else {
    for (int64_t j = 0; j < w; ++j) buf[j] = static_cast<float>(src[j]);
    return buf;
  }
}
template <typename T>
inline void storeRow(const float* src, int64_t w, T* dst) {
  for (int64_t j = 0; j < w; ++j) dst[j] = static_cast<T>(src[j]);
}

// Calls f with a value of the element type (float or BFloat16): f is a generic lambda, so
// `if constexpr` on decltype(tag) discards the other type's branch.
template <typename Fn>
void dispatchFloatBf16(torch::ScalarType dtype, const char* name, Fn&& f) {
  if (dtype == torch::kFloat32) return f(float{});
  if (dtype == torch::kBFloat16) return f(c10::BFloat16{});
  TORCH_CHECK(false, name, ": expected float32 or bfloat16, got ", dtype);
}

// ---- Linear (oneDNN products) -------------------------------------------------------------------

// Whether float32 products go through oneDNN's sgemm; FTS_ONEDNN=0 keeps OpenBLAS (to compare).
bool oneDnnProducts() {
#ifdef FTS_HAVE_DNNL
  static const bool on = [] {
    const char* env = std::getenv("FTS_ONEDNN");
    return !(env && std::string(env) == "0");
  }();
  return on && fusedOpsEnabled();
#else
  return false;
#endif
}

#ifdef FTS_HAVE_DNNL
// Row-major C[M,N] = op(A) op(B) (+ C when accumulate).
void dnnlGemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
              float* C, int64_t ldc) {
  const int status = dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
  TORCH_CHECK(status == 0, "oneDNN sgemm failed with status ", status);
}

// Weights up to this many elements get their gradient from oneDNN too (measured: faster up to
// 768x256; OpenBLAS faster from 1408x256 on).
constexpr int64_t kDnnlWeightGradMax = 256 * 1024;

class LinearFunction : public torch::autograd::Function<LinearFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
    RECORD_FUNCTION("fts::fastLinear", std::vector<c10::IValue>());
    const int64_t K = weight.size(1), N = weight.size(0);
    auto x2 = x.reshape({-1, K}).contiguous();  // [M,K]
    auto w = weight.contiguous();               // [N,K]
    const int64_t M = x2.size(0);
    auto y = torch::empty({M, N}, x2.options());  // [M,N]
    if (M > 0) dnnlGemm(false, true, M, N, K, x2.data_ptr<float>(), K, w.data_ptr<float>(), K, y.data_ptr<float>(), N);
    const bool hasBias = bias.numel() > 0;  // an empty tensor stands for no bias (apply takes no undefined input)
    if (hasBias) y.add_(bias);
    ctx->save_for_backward({x2, w});
    ctx->saved_data["hasBias"] = hasBias;
    auto sizes = x.sizes().vec();
    sizes.back() = N;
    return y.view(sizes);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x2 = saved[0];
    const auto& w = saved[1];
    const int64_t M = x2.size(0), K = w.size(1), N = w.size(0);
    auto gy = grads[0].reshape({-1, N}).to(torch::kFloat32).contiguous();  // [M,N]
    torch::Tensor dx, dw, db;
    if (ctx->needs_input_grad(0)) {
      dx = torch::empty({M, K}, x2.options());  // [M,K] = gy w
      if (M > 0) dnnlGemm(false, false, M, K, N, gy.data_ptr<float>(), N, w.data_ptr<float>(), K, dx.data_ptr<float>(), K);
      auto sizes = grads[0].sizes().vec();
      sizes.back() = K;
      dx = dx.view(sizes);
    }
    if (ctx->needs_input_grad(1)) {
      if (N * K <= kDnnlWeightGradMax) {
        dw = torch::empty({N, K}, w.options());  // [N,K] = gy^T x
        if (M > 0)
          dnnlGemm(true, false, N, K, M, gy.data_ptr<float>(), N, x2.data_ptr<float>(), K, dw.data_ptr<float>(), K);
        else
          dw.zero_();
      } else {
        dw = torch::mm(gy.t(), x2);
      }
    }
    if (ctx->needs_input_grad(2) && ctx->saved_data["hasBias"].toBool()) db = gy.sum(0);
    return {dx, dw, db};
  }
};
#else
void dnnlGemm(bool, bool, int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t) {
  TORCH_CHECK(false, "built without oneDNN");  // unreachable: oneDnnProducts() is false then
}
#endif

// ---- Embedding ----------------------------------------------------------------------------------

class EmbeddingFunction : public torch::autograd::Function<EmbeddingFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& ids, const torch::Tensor& weight) {
    RECORD_FUNCTION("fts::fusedEmbedding", std::vector<c10::IValue>());
    const int64_t V = weight.size(0), D = weight.size(1);
    auto idx = ids.to(torch::kInt64).contiguous();
    const int64_t N = idx.numel();
    const int64_t* ip = idx.data_ptr<int64_t>();
    for (int64_t i = 0; i < N; ++i)
      TORCH_CHECK(ip[i] >= 0 && ip[i] < V, "embedding: token id ", ip[i], " is outside the vocabulary [0, ", V, ")");
    auto w = weight.contiguous();
    auto sizes = idx.sizes().vec();
    sizes.push_back(D);
    auto out = torch::empty(sizes, w.options());  // [...,D]
    const float* wp = w.data_ptr<float>();
    float* op = out.data_ptr<float>();
    at::parallel_for(0, N, rowGrain(D), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) std::memcpy(op + i * D, wp + ip[i] * D, sizeof(float) * static_cast<size_t>(D));
    });
    ctx->save_for_backward({idx});
    ctx->saved_data["V"] = V;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    if (!ctx->needs_input_grad(1)) return {torch::Tensor(), torch::Tensor()};
    const auto idx = ctx->get_saved_variables()[0];
    const int64_t V = ctx->saved_data["V"].toInt();
    auto g = grads[0].to(torch::kFloat32).contiguous();  // [...,D]
    const int64_t D = g.size(-1), N = idx.numel();
    auto dw = torch::empty({V, D}, g.options());         // [V,D], every row written below
    const int64_t* ip = idx.data_ptr<int64_t>();
    const float* gp = g.data_ptr<float>();
    float* dp = dw.data_ptr<float>();
    // Each task owns rows [r0,r1) of the gradient: zero them, then add the looked-up rows that fall
    // in the block, in the order of the ids (every task scans the N ids: cheap next to V*D).
    at::parallel_for(0, V, rowGrain(D), [&](int64_t r0, int64_t r1) {
      std::memset(dp + r0 * D, 0, sizeof(float) * static_cast<size_t>((r1 - r0) * D));
      for (int64_t i = 0; i < N; ++i) {
        const int64_t r = ip[i];
        if (r < r0 || r >= r1) continue;
        cpu::addRow(gp + i * D, D, dp + r * D);
      }
    });
    return {torch::Tensor(), dw};
  }
};

// ---- RMSNorm ------------------------------------------------------------------------------------

class RmsNormFunction : public torch::autograd::Function<RmsNormFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    RECORD_FUNCTION("fts::fusedRmsNorm", std::vector<c10::IValue>());
    const int64_t D = x.size(-1), N = x.numel() / D;
    auto xc = x.contiguous();
    auto w = weight.contiguous();
    auto out = torch::empty(x.sizes(), x.options().dtype(torch::kFloat32));  // [...,D]
    auto rstd = torch::empty({N}, x.options().dtype(torch::kFloat32));       // [N]
    const float* wp = w.data_ptr<float>();
    float* op = out.data_ptr<float>();
    float* rp = rstd.data_ptr<float>();
    dispatchFloatBf16(x.scalar_type(), "fusedRmsNorm", [&](auto tag) {
      using scalar_t = decltype(tag);
      const scalar_t* xp = xc.data_ptr<scalar_t>();
      at::parallel_for(0, N, rowGrain(D), [&](int64_t begin, int64_t end) {
        std::vector<float> buf(std::is_same_v<scalar_t, float> ? 0 : D);
        for (int64_t i = begin; i < end; ++i) {
          const float* xr = rowAsFloat(xp + i * D, D, buf.data());
          const float r = 1.0f / std::sqrt(cpu::sumSquares(xr, D) / static_cast<float>(D) + static_cast<float>(eps));
          rp[i] = r;
          if constexpr (std::is_same_v<scalar_t, float>)
            cpu::scaleRow(xr, r, wp, D, op + i * D);
          else
            cpu::scaleRowRounded(xr, r, wp, D, op + i * D);
        }
      });
    });
    ctx->save_for_backward({xc, w, rstd});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& w = saved[1];
    const auto& rstd = saved[2];
    const int64_t D = x.size(-1), N = x.numel() / D;
    auto gy = grads[0].to(torch::kFloat32).contiguous();
    auto dx = torch::empty(x.sizes(), x.options());
    // Weight gradient: one partial sum per chunk of rows, added up at the end (no atomics).
    const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), N / rowGrain(D)));
    auto partial = torch::zeros({chunks, D}, x.options().dtype(torch::kFloat32));
    const float* wp = w.data_ptr<float>();
    const float* gp = gy.data_ptr<float>();
    const float* rp = rstd.data_ptr<float>();
    float* pp = partial.data_ptr<float>();
    dispatchFloatBf16(x.scalar_type(), "fusedRmsNorm backward", [&](auto tag) {
      using scalar_t = decltype(tag);
      const scalar_t* xp = x.data_ptr<scalar_t>();
      scalar_t* dxp = dx.data_ptr<scalar_t>();
      at::parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
        std::vector<float> xbuf(std::is_same_v<scalar_t, float> ? 0 : D), dbuf(std::is_same_v<scalar_t, float> ? 0 : D);
        for (int64_t c = cb; c < ce; ++c) {
          const int64_t r0 = N * c / chunks, r1 = N * (c + 1) / chunks;
          for (int64_t i = r0; i < r1; ++i) {
            const float* xr = rowAsFloat(xp + i * D, D, xbuf.data());
            if constexpr (std::is_same_v<scalar_t, float>) {
              cpu::rmsNormBackwardRow(xr, gp + i * D, wp, rp[i], D, dxp + i * D, pp + c * D);
            } else {
              cpu::rmsNormBackwardRow(xr, gp + i * D, wp, rp[i], D, dbuf.data(), pp + c * D);
              storeRow(dbuf.data(), D, dxp + i * D);
            }
          }
        }
      });
    });
    return {dx, partial.sum(0), torch::Tensor()};
  }
};

// ---- SwiGLU -------------------------------------------------------------------------------------

class SwiGluFunction : public torch::autograd::Function<SwiGluFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& gateUp) {
    RECORD_FUNCTION("fts::fusedSwiGlu", std::vector<c10::IValue>());
    const int64_t F2 = gateUp.size(-1), F = F2 / 2, N = gateUp.numel() / F2;
    auto gu = gateUp.contiguous();
    auto sizes = gu.sizes().vec();
    sizes.back() = F;
    auto out = torch::empty(sizes, gu.options());  // [...,F]
    dispatchFloatBf16(gu.scalar_type(), "fusedSwiGlu", [&](auto tag) {
      using scalar_t = decltype(tag);
      const scalar_t* gp = gu.data_ptr<scalar_t>();
      scalar_t* op = out.data_ptr<scalar_t>();
      at::parallel_for(0, N, rowGrain(F2), [&](int64_t begin, int64_t end) {
        const bool f32 = std::is_same_v<scalar_t, float>;
        std::vector<float> buf(f32 ? 0 : 3 * F);
        for (int64_t i = begin; i < end; ++i) {
          const float* row = rowAsFloat(gp + i * F2, F2, buf.data());  // [g | u]
          if constexpr (std::is_same_v<scalar_t, float>) {
            cpu::swiGluRow(row, row + F, F, op + i * F);
          } else {
            cpu::swiGluRow(row, row + F, F, buf.data() + 2 * F);
            storeRow(buf.data() + 2 * F, F, op + i * F);
          }
        }
      });
    });
    ctx->save_for_backward({gu});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto gu = ctx->get_saved_variables()[0];
    const int64_t F2 = gu.size(-1), F = F2 / 2, N = gu.numel() / F2;
    auto gh = grads[0].to(gu.scalar_type()).contiguous();
    auto dgu = torch::empty(gu.sizes(), gu.options());  // [...,2F]
    dispatchFloatBf16(gu.scalar_type(), "fusedSwiGlu backward", [&](auto tag) {
      using scalar_t = decltype(tag);
      const scalar_t* gp = gu.data_ptr<scalar_t>();
      const scalar_t* hp = gh.data_ptr<scalar_t>();
      scalar_t* dp = dgu.data_ptr<scalar_t>();
      at::parallel_for(0, N, rowGrain(F2), [&](int64_t begin, int64_t end) {
        const bool f32 = std::is_same_v<scalar_t, float>;
        std::vector<float> buf(f32 ? 0 : 5 * F);
        for (int64_t i = begin; i < end; ++i) {
          const float* row = rowAsFloat(gp + i * F2, F2, buf.data());
          if constexpr (std::is_same_v<scalar_t, float>) {
            cpu::swiGluBackwardRow(row, row + F, hp + i * F, F, dp + i * F2, dp + i * F2 + F);
          } else {
            const float* ghr = rowAsFloat(hp + i * F, F, buf.data() + 2 * F);
            cpu::swiGluBackwardRow(row, row + F, ghr, F, buf.data() + 3 * F, buf.data() + 4 * F);
            storeRow(buf.data() + 3 * F, F2, dp + i * F2);  // dg and du sit side by side in buf
          }
        }
      });
    });
    return {dgu};
  }
};

// ---- Linear + cross-entropy ---------------------------------------------------------------------

// Rows of logits x [rows,V] -> their losses (lp) and, in place, the gradient of the mean loss.
template <typename scalar_t>
void crossEntropyRows(scalar_t* xp, const int64_t* tp, int64_t rows, int64_t V, int64_t ignoreIndex, float eps, float invCount,
                      double* lp) {
  at::parallel_for(0, rows, rowGrain(V), [&](int64_t begin, int64_t end) {
    std::vector<float> buf(std::is_same_v<scalar_t, float> ? 0 : V);
    for (int64_t i = begin; i < end; ++i) {
      scalar_t* row = xp + i * V;
      if (tp[i] == ignoreIndex) {
        for (int64_t k = 0; k < V; ++k) row[k] = static_cast<scalar_t>(0.0f);
        continue;
      }
      if constexpr (std::is_same_v<scalar_t, float>) {
        lp[i] = cpu::crossEntropyRow(row, V, tp[i], eps, invCount);
      } else {
        for (int64_t k = 0; k < V; ++k) buf[k] = static_cast<float>(row[k]);
        lp[i] = cpu::crossEntropyRow(buf.data(), V, tp[i], eps, invCount);
        storeRow(buf.data(), V, row);
      }
    }
  });
}

// Rows per block of the float32 path: about 8M logits (32 MB) a block, at least 256 rows, so the
// products stay large while the [N,V] logits of a long batch are never all in memory at once.
int64_t autoChunkRows(int64_t V) { return std::max<int64_t>(256, (int64_t{8} << 20) / std::max<int64_t>(1, V)); }

class LinearCrossEntropyFunction : public torch::autograd::Function<LinearCrossEntropyFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& hidden, const torch::Tensor& weight,
                               const torch::Tensor& targets, int64_t ignoreIndex, double labelSmoothing, int64_t chunkRows) {
    RECORD_FUNCTION("fts::fusedLinearCrossEntropy", std::vector<c10::IValue>());
    // The products below run in the dtype the caller chose; autocast must not recast them.
    c10::impl::ExcludeDispatchKeyGuard noAutocast(c10::DispatchKey::AutocastCPU);
    const int64_t N = hidden.size(0), V = weight.size(0);
    auto t = targets.to(torch::kInt64).contiguous();
    auto valid = t != ignoreIndex;
    const int64_t count = valid.sum().item<int64_t>();
    if (count > 0) {
      auto vt = t.masked_select(valid);
      TORCH_CHECK(vt.min().item<int64_t>() >= 0 && vt.max().item<int64_t>() < V,
                  "fusedLinearCrossEntropy: a target is outside [0, ", V, ")");
    }
    const float invCount = count > 0 ? 1.0f / static_cast<float>(count) : 0.0f;
    const float eps = static_cast<float>(labelSmoothing);
    const int64_t* tp = t.data_ptr<int64_t>();
    auto rowLoss = torch::zeros({N}, hidden.options().dtype(torch::kFloat64));  // [N]
    double* lp = rowLoss.data_ptr<double>();
    const bool needH = hidden.requires_grad(), needW = weight.requires_grad();
    const int64_t chunk = chunkRows > 0 ? chunkRows : autoChunkRows(V);
    if (hidden.scalar_type() == torch::kFloat32 && chunk > 0 && N > chunk) {
      // Blocks of rows: each block's logits turn into their gradient while in cache, and the two
      // gradient products run right away (dW accumulates over the blocks), so no [N,V] is kept.
      auto h = hidden.contiguous();
      auto buf = torch::empty({chunk, V}, h.options());  // [chunk,V]
      torch::Tensor dh = needH ? torch::empty({N, h.size(1)}, h.options()) : torch::Tensor();
      torch::Tensor dw = needW ? torch::empty(weight.sizes(), weight.options()) : torch::Tensor();
      auto w = weight.contiguous();  // [V,D]
      auto wt = w.t();
      const int64_t D = h.size(1);
      const bool dnnl = oneDnnProducts();  // oneDNN is faster for these two products, OpenBLAS for dW
      for (int64_t r0 = 0; r0 < N; r0 += chunk) {
        const int64_t rows = std::min(chunk, N - r0);
        auto lc = buf.narrow(0, 0, rows);   // [rows,V]
        auto hc = h.narrow(0, r0, rows);    // [rows,D]
        if (dnnl)
          dnnlGemm(false, true, rows, V, D, hc.data_ptr<float>(), D, w.data_ptr<float>(), D, lc.data_ptr<float>(), V);
        else
          torch::mm_out(lc, hc, wt);
        crossEntropyRows(lc.data_ptr<float>(), tp + r0, rows, V, ignoreIndex, eps, invCount, lp + r0);
        if (needH) {
          auto dhc = dh.narrow(0, r0, rows);  // [rows,D]
          if (dnnl)
            dnnlGemm(false, false, rows, D, V, lc.data_ptr<float>(), V, w.data_ptr<float>(), D, dhc.data_ptr<float>(), D);
          else
            torch::mm_out(dhc, lc, w);
        }
        if (needW) {
          if (r0 == 0)
            torch::mm_out(dw, lc.t(), hc);  // [V,D]
          else
            dw.addmm_(lc.t(), hc);
        }
      }
      if (needH || needW) {
        ctx->saved_data["dh"] = dh;
        ctx->saved_data["dw"] = dw;
      }
    } else {
      auto logits = torch::mm(hidden, weight.t());  // [N,V], becomes the gradient in place
      dispatchFloatBf16(logits.scalar_type(), "fusedLinearCrossEntropy", [&](auto tag) {
        using scalar_t = decltype(tag);
        crossEntropyRows(logits.data_ptr<scalar_t>(), tp, N, V, ignoreIndex, eps, invCount, lp);
      });
      if (needH || needW) {
        ctx->save_for_backward({hidden, weight});
        ctx->saved_data["grad_logits"] = logits;  // [N,V]: d(mean loss)/d(logits)
      }
    }
    // Mean over the rows that count (NaN when none does, as torch's mean over nothing).
    return (rowLoss.sum() / static_cast<double>(count)).to(torch::kFloat32);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    c10::impl::ExcludeDispatchKeyGuard noAutocast(c10::DispatchKey::AutocastCPU);
    const double upstream = grads[0].item<double>();     // d(total)/d(loss): 1, or 1/k for accumulation
    torch::Tensor dh, dw;
    if (ctx->saved_data.count("dh")) {  // the blocked path computed both in the forward
      if (ctx->needs_input_grad(0)) dh = ctx->saved_data["dh"].toTensor();
      if (ctx->needs_input_grad(1)) dw = ctx->saved_data["dw"].toTensor();
      if (upstream != 1.0) {
        if (dh.defined()) dh = dh * upstream;
        if (dw.defined()) dw = dw * upstream;
      }
      return {dh, dw, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
    const auto saved = ctx->get_saved_variables();
    const auto& hidden = saved[0];
    const auto& weight = saved[1];
    auto g = ctx->saved_data["grad_logits"].toTensor();  // [N,V]
    if (upstream != 1.0) g.mul_(upstream);
    if (ctx->needs_input_grad(0)) dh = torch::mm(g, weight);        // [N,D]
    if (ctx->needs_input_grad(1)) dw = torch::mm(g.t(), hidden);    // [V,D]
    return {dh, dw, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// ---- AdamW --------------------------------------------------------------------------------------

}  // namespace

void fusedAdamWUpdate(const torch::Tensor& param, const torch::Tensor& grad, const torch::Tensor& expAvg,
                      const torch::Tensor& expAvgSq, double lr, double beta1, double beta2, double eps, double weightDecay,
                      int64_t step, double gradScale) {
  for (const auto* t : {&param, &grad, &expAvg, &expAvgSq})
    TORCH_CHECK(t->scalar_type() == torch::kFloat32 && t->is_contiguous() && t->device().is_cpu() && t->numel() == param.numel(),
                "fusedAdamWUpdate: parameter, gradient and moments must be contiguous float32 CPU tensors of one size");
  TORCH_CHECK(step >= 1, "fusedAdamWUpdate: step counts from 1");
  RECORD_FUNCTION("fts::fusedAdamWUpdate", std::vector<c10::IValue>());
  const double bc1 = 1.0 - std::pow(beta1, static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(beta2, static_cast<double>(step));
  float* p = param.data_ptr<float>();
  const float* g = grad.data_ptr<float>();
  float* m = expAvg.data_ptr<float>();
  float* v = expAvgSq.data_ptr<float>();
  const float keep = static_cast<float>(1.0 - lr * weightDecay), stepSize = static_cast<float>(lr / bc1);
  at::parallel_for(0, param.numel(), at::internal::GRAIN_SIZE, [&](int64_t b, int64_t e) {
    cpu::adamwRange(p + b, g + b, m + b, v + b, e - b, keep, static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
               static_cast<float>(beta2), static_cast<float>(1.0 - beta2), static_cast<float>(gradScale), stepSize,
               static_cast<float>(1.0 / bc2), static_cast<float>(eps));
  });
}

double sumOfSquares(const std::vector<torch::Tensor>& tensors) {
  RECORD_FUNCTION("fts::sumOfSquares", std::vector<c10::IValue>());
  double total = 0;
  for (const auto& t0 : tensors) {
    if (!t0.defined() || t0.numel() == 0) continue;
    auto t = t0.scalar_type() == torch::kFloat32 ? t0.contiguous() : t0.to(torch::kFloat32).contiguous();
    const float* x = t.data_ptr<float>();
    const int64_t n = t.numel();
    const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), n / at::internal::GRAIN_SIZE));
    std::vector<double> part(static_cast<size_t>(chunks), 0.0);
    at::parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
      for (int64_t c = cb; c < ce; ++c) part[c] = cpu::sumSquaresRange(x + n * c / chunks, n * (c + 1) / chunks - n * c / chunks);
    });
    for (double v : part) total += v;
  }
  return total;
}

torch::Tensor fastLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
#ifdef FTS_HAVE_DNNL
  const bool ok = oneDnnProducts() && !at::autocast::is_cpu_enabled() && x.device().is_cpu() && weight.device().is_cpu() &&
                  x.scalar_type() == torch::kFloat32 && weight.scalar_type() == torch::kFloat32 && weight.dim() == 2 &&
                  x.dim() >= 1 && x.size(-1) == weight.size(1) &&
                  (!bias.defined() || (bias.scalar_type() == torch::kFloat32 && bias.dim() == 1 && bias.size(0) == weight.size(0)));
  if (ok) return LinearFunction::apply(x, weight, bias.defined() ? bias : torch::empty({0}, weight.options()));
#endif
  return torch::linear(x, weight, bias);
}

torch::Tensor fusedEmbedding(const torch::Tensor& ids, const torch::Tensor& weight) {
  TORCH_CHECK(weight.dim() == 2 && weight.scalar_type() == torch::kFloat32 && weight.device().is_cpu(),
              "fusedEmbedding: weight must be a float32 CPU [V,D] tensor");
  return EmbeddingFunction::apply(ids, weight);
}

torch::Tensor fusedRmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  TORCH_CHECK(weight.scalar_type() == torch::kFloat32 && weight.dim() == 1 && weight.size(0) == x.size(-1),
              "fusedRmsNorm: weight must be float32 [D]");
  return RmsNormFunction::apply(x, weight, eps);
}

torch::Tensor fusedSwiGlu(const torch::Tensor& gateUp) {
  TORCH_CHECK(gateUp.size(-1) % 2 == 0, "fusedSwiGlu: the last dimension must be 2F");
  return SwiGluFunction::apply(gateUp);
}

torch::Tensor fusedLinearCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& weight, const torch::Tensor& targets,
                                      int64_t ignoreIndex, double labelSmoothing, int64_t chunkRows) {
  TORCH_CHECK(hidden.dim() == 2 && weight.dim() == 2 && hidden.size(1) == weight.size(1),
              "fusedLinearCrossEntropy: hidden [N,D] and weight [V,D]");
  TORCH_CHECK(hidden.scalar_type() == weight.scalar_type(), "fusedLinearCrossEntropy: hidden and weight differ in dtype");
  TORCH_CHECK(targets.numel() == hidden.size(0), "fusedLinearCrossEntropy: one target per row");
  return LinearCrossEntropyFunction::apply(hidden, weight, targets.reshape({-1}), ignoreIndex, labelSmoothing, chunkRows);
}

}  // namespace fts
