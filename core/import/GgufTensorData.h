#pragma once
// The tensor data of a GGUF file as float32, for every type GgmlDequantize decodes. GgufReader parses
// the header (metadata, tensor list) and decodes only the types our exporter writes; this maps the
// same file once more and finds each tensor's blocks itself, checking the type, the row length (whole
// blocks) and the byte range against the file before reading a byte. Torch-free.
#include "core/export/GgufReader.h"
#include "core/import/GgmlDequantize.h"

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace fts {

class GgufTensorData {
 public:
  // Maps `reader.path()`. Throws std::runtime_error naming the file when it cannot.
  explicit GgufTensorData(const GgufReader& reader);
  GgufTensorData(const GgufTensorData&) = delete;
  GgufTensorData& operator=(const GgufTensorData&) = delete;
  ~GgufTensorData();

  // The decoded type of `tensor`. Throws std::runtime_error naming the file, the tensor and the type
  // (by ggml's name) when it is one we do not decode.
  GgmlQuant type(const GgufTensorEntry& tensor) const;
  // Exactly the tensor's bytes. Throws naming the file and the tensor when its rows are not whole
  // blocks or its data reaches past the end of the file.
  std::span<const std::byte> bytes(const GgufTensorEntry& tensor) const;
  // All values, row-major in torchShape() order ([out, in] for a matrix). Throws as above, and when a
  // value is not finite (a corrupt scale), naming the tensor and the index.
  std::vector<float> values(const GgufTensorEntry& tensor) const;

 private:
  std::filesystem::path path_;
  uint64_t dataOffset_ = 0;
  const std::byte* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace fts
