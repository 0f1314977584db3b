#pragma once
// Internal to core/: includes torch. Fused CPU versions of the decoder's elementwise pieces, each one
// autograd operation with a hand-written backward, for training speed on the CPU.
//
// Why: with tensor ops each of these is a chain of kernels, each one a pass over a whole activation
// tensor through memory (RMSNorm: 5 forward and 8 backward; SwiGLU: 3 and 4; the LM head's
// cross-entropy: log_softmax, gather, a zero-filled [N,V] gradient, log_softmax backward). Here one
// pass over each row does the work while the row is in cache. The math is HF Llama's.
//
// Shapes: N rows (batch x tokens), D hidden size, F ffn size, V vocabulary.
#include <torch/types.h>

#include <vector>

namespace fts {

// Whether the fused ops apply to these tensors (CPU, float32 or bfloat16 activations); callers fall
// back to tensor ops otherwise. FTS_FUSED_OPS=0 in the environment turns them off (to compare).
bool fusedOpsEnabled();

// torch::linear(x, weight, bias) on the CPU in float32 with oneDNN's sgemm for the forward product
// and the input's gradient (on this project's machines 5-15% faster than OpenBLAS at a model's shapes,
// about 30% at dim 128), and for the weight's gradient when the weight is small (OpenBLAS wins on
// large ones). Falls back to torch::linear under autocast, for other dtypes or devices, without
// oneDNN, or with FTS_FUSED_OPS=0 or FTS_ONEDNN=0. x [...,K], weight [N,K], bias [N] or undefined -> [...,N].
torch::Tensor fastLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias = {});

// Embedding lookup: ids [...] int64 into weight [V,D] float32 -> [...,D], as torch's embedding
// (no padding index, no max norm). Its backward writes the dense [V,D] gradient in one pass, each
// thread zeroing and filling its own block of rows, in id order (deterministic).
torch::Tensor fusedEmbedding(const torch::Tensor& ids, const torch::Tensor& weight);

// HF LlamaRMSNorm: weight * (x * rsqrt(mean(x^2) + eps)).to(x.dtype), computed in fp32.
// x [...,D] float32/bfloat16, weight [D] float32 -> [...,D] float32 (weight's type wins, as in HF).
torch::Tensor fusedRmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// SwiGLU on a fused gate/up projection: gateUp [...,2F] = [gate | up] -> silu(gate) * up [...,F],
// in gateUp's dtype (float32 or bfloat16; computed in fp32).
torch::Tensor fusedSwiGlu(const torch::Tensor& gateUp);

// Mean cross-entropy of the logits hidden x weight^T against targets without keeping the logits:
// the softmax gradient replaces them row by row. hidden [N,D] and weight [V,D] of one dtype
// (float32, or bfloat16 under autocast), targets [N] int64 (ignoreIndex rows count for nothing).
// labelSmoothing as in torch's cross_entropy. Returns a float32 scalar.
// In float32 the rows go in blocks of chunkRows (0: about 8M logits a block): each block's logits
// become their gradient while in cache and both gradient products run in the forward (dW summed
// over the blocks), so neither the [N,V] logits nor a pass over them in memory is ever needed; the
// backward only scales. bfloat16 keeps one [N,V] product (a bf16 dW summed over blocks would round
// once per block).
torch::Tensor fusedLinearCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& weight, const torch::Tensor& targets,
                                      int64_t ignoreIndex, double labelSmoothing, int64_t chunkRows = 0);

// One AdamW step (Loshchilov & Hutter: decoupled weight decay, bias-corrected moments) on one float32
// parameter in one pass over p, g, m and v, instead of one pass per tensor op:
//   g' = g * gradScale; m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'^2;
//   p = p (1 - lr wd) - lr/bc1 * m / (sqrt(v/bc2) + eps),  bc_i = 1 - b_i^step.
// gradScale folds a clipping coefficient in (no separate pass to scale the gradients).
// All four tensors float32, contiguous, of one shape; step counts from 1.
void fusedAdamWUpdate(const torch::Tensor& param, const torch::Tensor& grad, const torch::Tensor& expAvg,
                      const torch::Tensor& expAvgSq, double lr, double beta1, double beta2, double eps, double weightDecay,
                      int64_t step, double gradScale = 1.0);

// Sum of squares of every element of the tensors (float32 or bfloat16), accumulated in float64:
// the global gradient norm for clipping is its square root. One pass, no temporaries.
double sumOfSquares(const std::vector<torch::Tensor>& tensors);

}  // namespace fts
