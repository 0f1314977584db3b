#pragma once
// Internal to core/: includes torch. Causal self-attention with rotary positions as one autograd
// operation on the CPU, for training speed.
//
// Why: written with tensor ops, attention on the CPU is a chain of whole-tensor passes (transposes,
// RoPE's slices and concatenation, scaling, mask, softmax, casts) around batched products that
// LibTorch 1.13 runs as one small multithreaded BLAS call per (batch, head), where thread start-up
// dominates. Here every (batch, kv-head) pair is one task on its own thread: RoPE, the two products,
// the causal softmax and the backward pass run on tiles that stay in cache, with single-threaded BLAS
// calls. The math is exactly HF Llama's (rotate_half RoPE, softmax in fp32, grouped-query heads).
//
// Shapes: B batch, T tokens, H query heads, Hkv key/value heads, Dh head dim.
#include <torch/types.h>

namespace fts {

// Whether the fused kernel is compiled in (it needs a BLAS with sgemm_; otherwise callers use ops).
bool fusedAttentionAvailable();

// qkv [B,T,(H+2*Hkv)*Dh]: the q, k and v projections side by side, as one linear with concatenated
// weights produces them (float32 or bfloat16; the last dimension contiguous, rows may be strided).
// cos, sin [>=T,Dh] float32 (HF's rotary tables, halves repeated). scale: usually 1/sqrt(Dh).
// Returns [B,T,H*Dh] in qkv's dtype; differentiable with respect to qkv.
torch::Tensor fusedCausalAttention(const torch::Tensor& qkv, const torch::Tensor& cos, const torch::Tensor& sin,
                                   int64_t heads, int64_t kvHeads, double scale);

}  // namespace fts
