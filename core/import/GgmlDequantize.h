#pragma once
// ggml's tensor element types, and their dequantization to float32 for the GGUF importer. Torch-free.
//
// A quantized tensor is a sequence of blocks along its innermost dimension (ne[0]): each block holds
// a fixed number of values (32 for the classic types, 256 for the "K" super-blocks) in a fixed number
// of bytes, so a row of ne[0] values is ne[0] / blockValues blocks. Each type's block layout is
// written next to its decoder in GgmlDequantize.cpp. All multi-byte fields are little-endian.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace fts {

// The ggml_type numbers of the types we decode (the rest are named, see ggmlTypeNumberName).
enum class GgmlQuant : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8,
  Q4_K = 12, Q5_K = 13, Q6_K = 14, BF16 = 30,
};

struct GgmlBlockLayout {
  uint64_t values = 1;  // values per block
  uint64_t bytes = 4;   // bytes per block
};

// The type we decode for a ggml_type number; nullopt for any other (including numbers we know the
// name of but do not decode, like Q2_K or IQ4_XS).
std::optional<GgmlQuant> ggmlQuantFromNumber(uint32_t number);
GgmlBlockLayout ggmlBlockLayout(GgmlQuant type);
// "Q4_K", "IQ2_XXS", ...: ggml's name of any type number it has had; "type N" for an unknown number.
std::string ggmlTypeNumberName(uint32_t number);

// Bytes of a tensor of `count` values whose rows are `rowLength` long. Throws std::invalid_argument
// when the row is not a whole number of blocks (quantized types cannot split a block between rows).
uint64_t ggmlTensorBytes(GgmlQuant type, uint64_t count, uint64_t rowLength);

// Decodes out.size() values; `bytes` must hold exactly their blocks (out.size() a multiple of the
// block size). Throws std::invalid_argument otherwise. Infinite or NaN scales decode as they are:
// the caller checks the values (the importer refuses a tensor with non-finite values).
void dequantizeGgml(GgmlQuant type, std::span<const std::byte> bytes, std::span<float> out);

// One block each, for tests and for readers of this file: `block` holds layout.bytes bytes and `out`
// layout.values floats.
void dequantizeBlockQ4_0(const uint8_t* block, float* out);
void dequantizeBlockQ4_1(const uint8_t* block, float* out);
void dequantizeBlockQ5_0(const uint8_t* block, float* out);
void dequantizeBlockQ5_1(const uint8_t* block, float* out);
void dequantizeBlockQ8_0(const uint8_t* block, float* out);
void dequantizeBlockQ4_K(const uint8_t* block, float* out);
void dequantizeBlockQ5_K(const uint8_t* block, float* out);
void dequantizeBlockQ6_K(const uint8_t* block, float* out);

}  // namespace fts
