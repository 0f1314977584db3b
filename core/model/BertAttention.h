#pragma once
// Internal to core/: includes torch. BERT's bidirectional self-attention with a padding mask as one
// autograd operation on the CPU, for training speed.
//
// Why: with tensor ops, LibTorch 1.13 runs the two batched products of attention as one small
// multithreaded BLAS call per (batch, head), where thread start-up dominates (measured at MiniLM's
// shape: the bmm calls were the largest cost of a layer). Here every (batch, head) pair is one task on
// its own thread: the products, the masked softmax, dropout on the probabilities and the backward
// pass run on [T,Dh] and [T,T] tiles that stay in cache, with single-threaded BLAS calls (the same
// approach as FusedAttention's causal kernel, which has RoPE and a causal mask instead).
// The math is HF BertSelfAttention's: softmax(q k^T / sqrt(Dh) + mask) v, softmax in fp32.
//
// Shapes: B batch, T tokens, H heads, Dh head dim, D = H*Dh.
#include <torch/types.h>

#include <cstdint>

namespace fts {

// Whether the fused kernel can run (a fast BLAS with sgemm_; FTS_FUSED_ATTENTION=0 turns it off).
bool fusedBertAttentionAvailable();

// qkv [B,T,3D] = [q | k | v] as one linear with concatenated weights produces them (float32 or
// bfloat16; the last dimension contiguous). keyBias [B,T] float32 added to every query's scores
// (0 for tokens, a large negative number for padding) or undefined (no padding). dropout: the
// probability of dropping an attention weight (applied when > 0, the decisions seeded by one draw
// of torch's default CPU generator, bertAttentionDropoutSeed). Returns [B,T,D] in qkv's dtype;
// differentiable with respect to qkv.
torch::Tensor fusedBertAttention(const torch::Tensor& qkv, const torch::Tensor& keyBias, int64_t heads, double scale,
                                 double dropout);

// The draw fusedBertAttention makes from torch's default CPU generator when dropout > 0.
uint64_t bertAttentionDropoutSeed();
// The keep decisions (1 kept, 0 dropped) it makes from that seed, [B,H,T,T] float32: for tests.
torch::Tensor bertAttentionKeepMask(int64_t B, int64_t H, int64_t T, double dropout, uint64_t seed);

}  // namespace fts
