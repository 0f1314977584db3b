#include "core/io/TorchTensors.h"

#include <torch/torch.h>

#include <bit>
#include <cstring>
#include <stdexcept>

namespace fts {

static_assert(std::endian::native == std::endian::little,
              "safetensors bytes are little-endian; a big-endian host needs byte swapping here");

c10::ScalarType torchDtypeOf(SafetensorsDtype dtype) {
  switch (dtype) {
    case SafetensorsDtype::F64: return torch::kFloat64;
    case SafetensorsDtype::F32: return torch::kFloat32;
    case SafetensorsDtype::F16: return torch::kFloat16;
    case SafetensorsDtype::BF16: return torch::kBFloat16;
    case SafetensorsDtype::I64: return torch::kInt64;
    case SafetensorsDtype::I32: return torch::kInt32;
    case SafetensorsDtype::I16: return torch::kInt16;
    case SafetensorsDtype::I8: return torch::kInt8;
    case SafetensorsDtype::U8: return torch::kUInt8;
    case SafetensorsDtype::BOOL: return torch::kBool;
  }
  throw std::invalid_argument("unknown safetensors dtype");
}

SafetensorsDtype safetensorsDtypeOf(c10::ScalarType type) {
  switch (type) {
    case torch::kFloat64: return SafetensorsDtype::F64;
    case torch::kFloat32: return SafetensorsDtype::F32;
    case torch::kFloat16: return SafetensorsDtype::F16;
    case torch::kBFloat16: return SafetensorsDtype::BF16;
    case torch::kInt64: return SafetensorsDtype::I64;
    case torch::kInt32: return SafetensorsDtype::I32;
    case torch::kInt16: return SafetensorsDtype::I16;
    case torch::kInt8: return SafetensorsDtype::I8;
    case torch::kUInt8: return SafetensorsDtype::U8;
    case torch::kBool: return SafetensorsDtype::BOOL;
    default:
      throw std::invalid_argument(std::string("tensor type ") + c10::toString(type) +
                                  " has no safetensors equivalent we write");
  }
}

torch::Tensor tensorFromView(const TensorView& view) {
  auto t = torch::empty(view.shape, torch::TensorOptions().dtype(torchDtypeOf(view.dtype)));
  // Sizes agree by construction (the reader checked numel * dtype size); keep the check cheap and loud.
  if (static_cast<size_t>(t.nbytes()) != view.bytes.size())
    throw std::invalid_argument("tensor '" + view.name + "': " + std::to_string(view.bytes.size()) +
                                " bytes do not fit shape " + shapeString(view.shape));
  if (!view.bytes.empty()) std::memcpy(t.data_ptr(), view.bytes.data(), view.bytes.size());
  return t;
}

torch::Tensor floatTensorFromView(const TensorView& view) {
  switch (view.dtype) {
    case SafetensorsDtype::F64:
    case SafetensorsDtype::F32:
    case SafetensorsDtype::F16:
    case SafetensorsDtype::BF16:
      return tensorFromView(view).to(torch::kFloat32);
    default:
      throw std::invalid_argument("tensor '" + view.name + "' is " + std::string(dtypeName(view.dtype)) +
                                  ", not a floating type: it cannot be a weight");
  }
}

TensorForWrite prepareForWrite(const std::string& name, const torch::Tensor& t,
                               std::optional<SafetensorsDtype> floatDtype) {
  TensorForWrite w;
  auto c = t.detach().to(torch::kCPU);
  if (floatDtype && c.is_floating_point()) c = c.to(torchDtypeOf(*floatDtype));
  w.tensor = c.contiguous();
  w.view.name = name;
  w.view.dtype = safetensorsDtypeOf(w.tensor.scalar_type());
  w.view.shape.assign(w.tensor.sizes().begin(), w.tensor.sizes().end());
  w.view.bytes = std::span<const std::byte>(static_cast<const std::byte*>(w.tensor.data_ptr()),
                                            static_cast<size_t>(w.tensor.nbytes()));
  return w;
}

}  // namespace fts
