#pragma once
// Writes a GGUF version 3 file (layout: core/export/GgufTypes.h). Torch-free: tensors arrive as
// float32 values and are encoded (F32, F16, BF16, Q8_0) when added, so the writer holds the encoded
// bytes only. The file is written atomically: a temporary name, fsync, rename.
#include "core/export/GgufTypes.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace fts {

class GgufWriter {
 public:
  explicit GgufWriter(uint32_t alignment = kGgufDefaultAlignment);

  // Metadata in insertion order; setting a key again replaces its value in place.
  void set(const std::string& key, GgufValue value);
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return metadata_; }

  // `values` holds the tensor row-major in PyTorch's order of `shape` (outermost first); it is stored
  // as `type` with ne = shape reversed. Throws std::invalid_argument on a duplicate name, a size that
  // does not match the shape, or Q8_0 on rows that are not whole blocks of 32.
  void addTensor(const std::string& name, const std::vector<int64_t>& shape, std::span<const float> values, GgmlType type);
  const std::vector<GgufTensorInfo>& tensors() const { return infos_; }

  // Bytes the file will have.
  uint64_t fileSize() const;
  // Throws std::runtime_error naming the file on I/O errors; nothing appears under `file` then.
  void write(const std::filesystem::path& file) const;

 private:
  uint32_t alignment_;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::vector<GgufTensorInfo> infos_;
  std::vector<std::vector<std::byte>> data_;
  uint64_t dataBytes_ = 0;  // data section size, with the padding between tensors
};

}  // namespace fts
