#pragma once
// Internal to core/: includes torch. Converts between safetensors views (core/io/SafetensorsTypes.h,
// torch-free) and torch::Tensor. Files hold little-endian, row-major bytes, which is how a contiguous
// CPU tensor lies in memory on every host we build for (checked at compile time in TensorConvert.cpp).
#include "core/io/SafetensorsTypes.h"

#include <torch/types.h>

#include <optional>
#include <string>

namespace fts {

c10::ScalarType torchDtypeOf(SafetensorsDtype dtype);
// Throws std::invalid_argument naming the type when safetensors has no equivalent we write.
SafetensorsDtype safetensorsDtypeOf(c10::ScalarType type);

// Copies the bytes into a new CPU tensor of the same dtype and shape, owning its memory (so it outlives
// the reader's mapping, and its data is aligned even when the bytes in the file are not).
torch::Tensor tensorFromView(const TensorView& view);
// Same, then converted to float32: how weights stored as BF16/F16/F64 enter an fp32 module.
// Throws std::invalid_argument naming the tensor when its dtype is not a floating type.
torch::Tensor floatTensorFromView(const TensorView& view);

// A tensor made ready to write: detached, on the CPU, contiguous, floating types cast to `floatDtype`
// when given. `view` points into `tensor`, so keep this struct alive until the bytes are written.
struct TensorForWrite {
  torch::Tensor tensor;
  TensorView view;
};
TensorForWrite prepareForWrite(const std::string& name, const torch::Tensor& t,
                               std::optional<SafetensorsDtype> floatDtype = std::nullopt);

}  // namespace fts
