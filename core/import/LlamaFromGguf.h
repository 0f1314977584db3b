#pragma once
// What a GGUF file of architecture "llama" becomes in a Hugging Face folder (LlamaForCausalLM): the
// config.json fields from the llama.* and tokenizer.ggml.* metadata, each llama.cpp tensor name's HF
// name, and the q/k rows put back in HF's order. Torch-free: the importer never needs LibTorch.
//
// The q/k permutation (see core/export/LlamaGguf.h, which applies it): llama.cpp's "llama" rotary
// turns adjacent pairs (2i, 2i+1) of each head, HF's the two halves (i, i + Dh/2), so the converters
// reorder the rows of q_proj and k_proj within each head: GGUF row 2i+j of a head is HF row
// j*Dh/2 + i. unpermuteQkRows undoes that.
#include "core/export/GgufReader.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fts {

// The shape and special ids of the model, as read from the metadata. Throws std::runtime_error
// naming the file and the key when something needed is absent or impossible, and naming the
// architecture when it is not "llama" (qwen2, phi3, ... are refused: their tensors and rotary differ).
struct GgufLlamaShape {
  int vocabSize = 0;
  int hiddenSize = 0;
  int intermediateSize = 0;
  int layers = 0;
  int heads = 0;
  int kvHeads = 0;
  int contextLength = 0;
  double rmsEps = 1e-5;
  double ropeTheta = 10000.0;
  bool tiedEmbeddings = false;  // no output.weight: llama.cpp then uses token_embd for the output
  bool attentionBias = false;   // blk.0.attn_q.bias present
  int bosId = -1, eosId = -1, padId = -1;
  std::string name;             // general.name, when present
  // HF's rope_scaling object as JSON text ("" when the rotary is unscaled): "linear" and "yarn" from
  // llama.rope.scaling.*, "llama3" reconstructed from the rope_freqs.weight tensor (see the .cpp).
  std::string ropeScalingJson;
  int headDim() const { return hiddenSize / heads; }
};

// `ropeFreqs` is rope_freqs.weight decoded when the file has it (empty otherwise).
GgufLlamaShape readGgufLlamaShape(const GgufReader& reader, std::span<const float> ropeFreqs);

// config.json for LlamaForCausalLM; `dtype` is "bfloat16" or "float32" (torch_dtype).
std::string hfLlamaConfigJson(const GgufLlamaShape& shape, const std::string& dtype);
// generation_config.json: the special ids generation stops on.
std::string hfLlamaGenerationConfigJson(const GgufLlamaShape& shape);

// "blk.3.attn_q.weight" -> "model.layers.3.self_attn.q_proj.weight", "token_embd.weight" ->
// "model.embed_tokens.weight", ...; nullopt for a name llama's HF layout has no place for.
std::optional<std::string> hfTensorNameFromGguf(const std::string& ggufName);
// Tensors a llama GGUF may hold that an HF folder recomputes instead of storing (rope_freqs.weight).
bool isGgufOnlyTensor(const std::string& ggufName);

// rows [heads*Dh, cols] (cols 1 for a bias), row-major, from llama.cpp's interleaved order back to
// HF's half-split order, in place. Throws std::invalid_argument when the rows are not heads times an
// even head size.
void unpermuteQkRows(std::span<float> values, int64_t rows, int64_t cols, int64_t heads);

}  // namespace fts
