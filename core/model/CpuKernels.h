#pragma once
// Internal to core/model: the inner loops of the fused CPU ops (FusedOps, FusedAttention), one row
// at a time, on float. Plain C++ without torch, compiled in their own unit with -fno-math-errno and
// for three instruction sets (AVX-512, AVX2, baseline x86-64) picked when the program loads, so one
// binary vectorises wherever it runs. Reductions use independent partial sums (kLanes) because IEEE
// order forbids the compiler to vectorise a serial float sum.
#include <cstdint>

namespace fts::cpu {

// ---- attention (one row of a causal score tile; RoPE on one head row) --------------------------
// Softmax over columns [0,n) in place; zeros in [n,width).
void softmaxRow(float* row, int n, int width);
// ds = p * (dp - sum_j p_j dp_j) over [0,n) in place on dp; zeros in [n,width).
void softmaxBackwardRow(const float* p, float* dp, int n, int width);
// y = (x*cos + rotate_half(x)*sin) * scale, rotate_half(x) = [-x2, x1]; half = Dh/2.
void ropeRow(const float* x, const float* cos, const float* sin, int half, float scale, float* y);
// Its transpose: dx from the gradient g of y.
void ropeBackwardRow(const float* g, const float* cos, const float* sin, int half, float scale, float* dx);

// ---- RMSNorm ------------------------------------------------------------------------------------
float sumSquares(const float* x, int64_t n);
// y = w * (x * r)
void scaleRow(const float* x, float r, const float* w, int64_t n, float* y);
// y = w * bf16(x * r): HF rounds the normalised row to a bfloat16 input's dtype before the weight.
void scaleRowRounded(const float* x, float r, const float* w, int64_t n, float* y);
// dx = r * (gy*w - x * r^2 * mean(gy*w*x)); dw += gy * x * r
void rmsNormBackwardRow(const float* x, const float* gy, const float* w, float r, int64_t n, float* dx, float* dw);

// ---- SwiGLU -------------------------------------------------------------------------------------
// h = silu(g) * u
void swiGluRow(const float* g, const float* u, int64_t n, float* h);
// dg = gh * u * s * (1 + g (1 - s)), du = gh * g * s, s = sigmoid(g)
void swiGluBackwardRow(const float* g, const float* u, const float* gh, int64_t n, float* dg, float* du);

// ---- cross-entropy ------------------------------------------------------------------------------
// Row of logits x [V] with target t: returns lse - (1-eps) x_t - eps mean(x) and overwrites x with
// (softmax(x) - (1-eps) onehot(t) - eps/V) * invCount, the gradient of the mean loss.
float crossEntropyRow(float* x, int64_t V, int64_t t, float eps, float invCount);

// ---- embedding ----------------------------------------------------------------------------------
// y += x
void addRow(const float* x, int64_t n, float* y);

// ---- AdamW --------------------------------------------------------------------------------------
// om1 = 1-b1 and om2 = 1-b2 computed in double by the caller, as torch's ops take them.
void adamwRange(float* p, const float* g, float* m, float* v, int64_t n, float keep, float b1, float om1, float b2, float om2,
                float gs, float stepSize, float invBc2, float eps);
// Sum of squares in float lanes over blocks of 4096, accumulated in double.
double sumSquaresRange(const float* x, int64_t n);

}  // namespace fts::cpu
