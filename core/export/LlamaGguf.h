#pragma once
// Internal to core/: includes torch. A Llama model (our modules, Hugging Face names and layouts) to a
// GGUF file that llama.cpp loads as architecture "llama", and back (to verify what was written).
//
// Two translations happen besides the names:
// - Rotary embeddings. HF rotates the two halves of each head (dimension i with i + Dh/2); llama.cpp's
//   "llama" rope rotates adjacent pairs (2i with 2i+1). So the rows of q_proj and k_proj (and their
//   biases) are reordered within each head: GGUF row 2i+j of a head is HF row j*Dh/2 + i. Attention
//   scores are unchanged because q and k get the same reordering.
// - Shapes. GGUF lists dimensions innermost first: a weight [out, in] is stored with ne = {in, out}.
#include "core/export/GgufReader.h"
#include "core/export/GgufWriter.h"
#include "core/model/LlamaModules.h"

#include <optional>
#include <string>
#include <torch/types.h>
#include <vector>

namespace fts {

class SentencePieceTokenizer;

// [heads*Dh, ...] in HF's half-split order -> llama.cpp's interleaved order, and back. Works on
// weights [heads*Dh, D] and biases [heads*Dh]. Throws std::invalid_argument when the first dimension
// is not heads times an even head size.
torch::Tensor permuteQkForGguf(const torch::Tensor& w, int64_t heads);
torch::Tensor unpermuteQkFromGguf(const torch::Tensor& w, int64_t heads);

// "model.layers.3.self_attn.q_proj.weight" -> "blk.3.attn_q.weight"; nullopt for a tensor GGUF's
// llama architecture has no place for (score.weight, the classification head).
std::optional<std::string> ggufTensorName(const std::string& hfName);

// The GGUF type a tensor is stored as when `wanted` is asked: 1-D tensors (norms, biases) always F32,
// as llama.cpp keeps them; Q8_0 only for rows that are whole blocks of 32 (else F16).
GgmlType ggufStorageType(const std::vector<int64_t>& shape, GgmlType wanted);

// general.file_type: 0 all F32, 1 mostly F16, 7 mostly Q8_0, 32 mostly BF16 (llama.cpp's llama_ftype).
uint32_t ggufFileType(GgmlType type);

struct GgufBuildReport {
  std::vector<std::string> notes;  // e.g. tensors kept in F16 because their rows are not whole Q8_0 blocks
};

// Metadata (general.*, llama.*, tokenizer.ggml.*) and every tensor, ready to write. Throws
// std::invalid_argument for a classifier (llama.cpp has no sequence-classification head), a model_type
// GGUF's llama architecture does not describe (qwen2), or a tokenizer larger than the vocabulary.
GgufWriter llamaToGguf(const LlamaForTask& model, const SentencePieceTokenizer& tokenizer, GgmlType type,
                       const std::string& modelName, GgufBuildReport* report = nullptr);

// The model's shape as the file's metadata describes it (tied embeddings when output.weight is absent,
// attention biases when blk.0.attn_q.bias is present). Throws naming the file and the key.
LlamaConfig llamaConfigFromGguf(const GgufReader& reader);
// Fills every parameter of `model` from the file: dequantized to float32, q/k rows put back in HF's
// order. Throws naming the tensor when one is missing or has another shape.
void loadLlamaFromGguf(LlamaForTask& model, const GgufReader& reader);

}  // namespace fts
