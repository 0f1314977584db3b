#pragma once
// The vocabulary shared by SafetensorsReader and SafetensorsWriter: element types and a non-owning view
// of one tensor's bytes. Torch-free, so the GUI and tools can read a file's table of contents without
// LibTorch; core/io/TorchTensors.h converts to and from torch::Tensor.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fts {

// The element types we read (names as written in the safetensors header). F32/F16/BF16 are what model
// weights use; the integer and F64 types appear in checkpoints (step counters, RNG state, masks).
enum class SafetensorsDtype { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

std::string_view dtypeName(SafetensorsDtype dtype);  // "F32", "BF16", ...
size_t dtypeSize(SafetensorsDtype dtype);            // bytes per element
std::optional<SafetensorsDtype> dtypeFromName(std::string_view name);  // nullopt when unknown

// Number of elements of a shape; nullopt on a negative dimension or when the count overflows.
std::optional<uint64_t> shapeNumel(const std::vector<int64_t>& shape);
std::string shapeString(const std::vector<int64_t>& shape);  // "[2, 3]"

// One tensor: its name, type, shape and raw little-endian bytes, row-major (C order).
// Does not own the bytes: the reader's mapping or the caller's buffer must outlive the view.
struct TensorView {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  std::vector<int64_t> shape;
  std::span<const std::byte> bytes;
};

}  // namespace fts
