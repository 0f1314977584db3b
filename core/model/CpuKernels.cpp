#include "core/model/CpuKernels.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace fts::cpu {
namespace {

// Compiled for x86-64-v4 (AVX-512), v3 (AVX2) and baseline, chosen at load time (GCC ifunc).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define FTS_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FTS_MULTIVERSION
#endif

// Independent partial sums, so reductions vectorise: IEEE order of a serial sum forbids it otherwise.
constexpr int kLanes = 16;

// exp(x) for softmax-like uses: Cody-Waite range reduction x = n ln2 + r, Cephes' degree-6
// polynomial on r, 2^n through the exponent bits. About 2 ulp; inputs below -87 give ~1e-38, not 0.
inline float expf_(float x) {
  x = std::min(88.3762626647949f, std::max(-87.3365447505531f, x));
  // Round x*log2(e) to nearest with the 1.5*2^23 trick (exact for |v| < 2^22, no rounding-mode calls).
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  return p * std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
}

// float -> bfloat16 -> float, rounding to nearest even as c10::BFloat16 does (NaN stays NaN).
inline float roundToBf16(float x) {
  if (x != x) return x;
  uint32_t bits = std::bit_cast<uint32_t>(x);
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return std::bit_cast<float>(bits & 0xFFFF0000u);
}

}  // namespace

// Row i of a causal score tile: softmax over columns 0..n-1 (n = i+1) in place, zeros up to `width`.
FTS_MULTIVERSION void softmaxRow(float* row, int n, int width) {
  float mx[kLanes];
  for (int l = 0; l < kLanes; ++l) mx[l] = -INFINITY;
  int j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) mx[l] = row[j + l] > mx[l] ? row[j + l] : mx[l];
  float m = -INFINITY;
  for (int l = 0; l < kLanes; ++l) m = mx[l] > m ? mx[l] : m;
  for (; j < n; ++j) m = row[j] > m ? row[j] : m;
  for (int c = 0; c < n; ++c) row[c] = expf_(row[c] - m);
  float acc[kLanes] = {};
  j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += row[j + l];
  float sum = 0;
  for (int l = 0; l < kLanes; ++l) sum += acc[l];
  for (; j < n; ++j) sum += row[j];
  const float inv = 1.0f / sum;
  for (int c = 0; c < n; ++c) row[c] *= inv;
  for (int c = n; c < width; ++c) row[c] = 0.0f;
}

// Softmax backward on row i, in place on dp: ds = p * (dp - sum_j p*dp), columns 0..n-1; zeros to width.
FTS_MULTIVERSION void softmaxBackwardRow(const float* p, float* dp, int n, int width) {
  float acc[kLanes] = {};
  int j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += p[j + l] * dp[j + l];
  float dot = 0;
  for (int l = 0; l < kLanes; ++l) dot += acc[l];
  for (; j < n; ++j) dot += p[j] * dp[j];
  for (int c = 0; c < n; ++c) dp[c] = p[c] * (dp[c] - dot);
  for (int c = n; c < width; ++c) dp[c] = 0.0f;
}


// HF's RoPE on one row: y = (x*cos + rotate_half(x)*sin) * scale, rotate_half(x) = [-x2, x1].
FTS_MULTIVERSION void ropeRow(const float* __restrict x, const float* __restrict c, const float* __restrict s, int half,
                              float scale, float* __restrict y) {
  for (int d = 0; d < half; ++d) {
    y[d] = (x[d] * c[d] - x[d + half] * s[d]) * scale;
    y[d + half] = (x[d + half] * c[d + half] + x[d] * s[d + half]) * scale;
  }
}

// Its transpose: the gradient of x from the gradient g of y.
FTS_MULTIVERSION void ropeBackwardRow(const float* __restrict g, const float* __restrict c, const float* __restrict s, int half,
                                      float scale, float* __restrict dx) {
  for (int d = 0; d < half; ++d) {
    dx[d] = (g[d] * c[d] + g[d + half] * s[d + half]) * scale;
    dx[d + half] = (g[d + half] * c[d + half] - g[d] * s[d]) * scale;
  }
}


FTS_MULTIVERSION float sumSquares(const float* __restrict x, int64_t n) {
  float acc[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += x[j + l] * x[j + l];
  float s = 0;
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  for (; j < n; ++j) s += x[j] * x[j];
  return s;
}

FTS_MULTIVERSION void scaleRow(const float* __restrict x, float r, const float* __restrict w, int64_t n, float* __restrict y) {
  for (int64_t j = 0; j < n; ++j) y[j] = w[j] * (x[j] * r);
}

FTS_MULTIVERSION void scaleRowRounded(const float* __restrict x, float r, const float* __restrict w, int64_t n,
                                     float* __restrict y) {
  for (int64_t j = 0; j < n; ++j) y[j] = w[j] * roundToBf16(x[j] * r);
}

// One row of the backward: xh = x*r, gxh = gy*w; dx = r * (gxh - xh * mean(gxh*xh)); dw += gy*xh.
FTS_MULTIVERSION void rmsNormBackwardRow(const float* __restrict x, const float* __restrict gy, const float* __restrict w, float r,
                                         int64_t n, float* __restrict dx, float* __restrict dw) {
  float acc[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += gy[j + l] * w[j + l] * x[j + l];
  float dot = 0;
  for (int l = 0; l < kLanes; ++l) dot += acc[l];
  for (; j < n; ++j) dot += gy[j] * w[j] * x[j];
  const float c = dot * r * r / static_cast<float>(n);  // mean(gxh*xh) / r, with xh = x*r
  for (int64_t k = 0; k < n; ++k) {
    dx[k] = r * (gy[k] * w[k] - x[k] * c);
    dw[k] += gy[k] * x[k] * r;
  }
}


FTS_MULTIVERSION void swiGluRow(const float* __restrict g, const float* __restrict u, int64_t n, float* __restrict h) {
  for (int64_t j = 0; j < n; ++j) h[j] = g[j] / (1.0f + expf_(-g[j])) * u[j];
}

// h = silu(g) * u: dg = gh * u * s * (1 + g * (1 - s)), du = gh * g * s, with s = sigmoid(g).
FTS_MULTIVERSION void swiGluBackwardRow(const float* __restrict g, const float* __restrict u, const float* __restrict gh, int64_t n,
                                        float* __restrict dg, float* __restrict du) {
  for (int64_t j = 0; j < n; ++j) {
    const float s = 1.0f / (1.0f + expf_(-g[j]));
    dg[j] = gh[j] * u[j] * s * (1.0f + g[j] * (1.0f - s));
    du[j] = gh[j] * g[j] * s;
  }
}


// One row of logits x [V] (float): returns its loss and overwrites x with the gradient of the mean
// loss, (softmax(x) - (1-eps)*onehot(t) - eps/V) * invCount.
FTS_MULTIVERSION float crossEntropyRow(float* __restrict x, int64_t V, int64_t t, float eps, float invCount) {
  float mx[kLanes], sx[kLanes] = {};
  for (int l = 0; l < kLanes; ++l) mx[l] = -INFINITY;
  int64_t j = 0;
  for (; j + kLanes <= V; j += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      mx[l] = x[j + l] > mx[l] ? x[j + l] : mx[l];
      sx[l] += x[j + l];
    }
  float m = -INFINITY, sum = 0;
  for (int l = 0; l < kLanes; ++l) {
    m = mx[l] > m ? mx[l] : m;
    sum += sx[l];
  }
  for (; j < V; ++j) {
    m = x[j] > m ? x[j] : m;
    sum += x[j];
  }
  const float xt = x[t];
  for (int64_t k = 0; k < V; ++k) x[k] = expf_(x[k] - m);
  float se[kLanes] = {};
  j = 0;
  for (; j + kLanes <= V; j += kLanes)
    for (int l = 0; l < kLanes; ++l) se[l] += x[j + l];
  float z = 0;
  for (int l = 0; l < kLanes; ++l) z += se[l];
  for (; j < V; ++j) z += x[j];
  const float lse = m + std::log(z);
  const float scale = invCount / z, shift = eps / static_cast<float>(V) * invCount;
  for (int64_t k = 0; k < V; ++k) x[k] = x[k] * scale - shift;
  x[t] -= (1.0f - eps) * invCount;
  return lse - (1.0f - eps) * xt - eps * sum / static_cast<float>(V);
}


FTS_MULTIVERSION void addRow(const float* __restrict x, int64_t n, float* __restrict y) {
  for (int64_t j = 0; j < n; ++j) y[j] += x[j];
}

FTS_MULTIVERSION void adamwRange(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
                                 int64_t n, float keep, float b1, float om1, float b2, float om2, float gs, float stepSize,
                                 float invBc2, float eps) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i] * gs;
    const float mi = b1 * m[i] + om1 * gi;
    const float vi = b2 * v[i] + om2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * keep - stepSize * mi / (std::sqrt(vi * invBc2) + eps);
  }
}

FTS_MULTIVERSION double sumSquaresRange(const float* __restrict x, int64_t n) {
  // float lanes over blocks of 4096, then double: exact enough for a norm and still vectorised.
  double total = 0;
  for (int64_t b = 0; b < n; b += 4096) {
    const int64_t e = std::min<int64_t>(n, b + 4096);
    float acc[kLanes] = {};
    int64_t j = b;
    for (; j + kLanes <= e; j += kLanes)
      for (int l = 0; l < kLanes; ++l) acc[l] += x[j + l] * x[j + l];
    for (; j < e; ++j) acc[0] += x[j] * x[j];
    for (int l = 0; l < kLanes; ++l) total += acc[l];
  }
  return total;
}

}  // namespace fts::cpu
