#pragma once
// Reads a GGUF version 2 or 3 file: enough to verify what GgufWriter wrote (and to inspect other GGUF
// files' metadata). The file is memory-mapped; parsing checks every length and offset against the file
// size before using it, so a truncated or corrupt file is a clear error, never a crash. Tensor data of
// the types we write (F32, F16, BF16, Q8_0) decodes to float32; other types are listed but not decoded.
#include "core/export/GgufTypes.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace fts {

struct GgufTensorEntry {
  GgufTensorInfo info;
  uint32_t rawType = 0;  // the ggml type number; info.type is meaningful only when `known`
  bool known = false;    // a type we decode
};

class GgufReader {
 public:
  // Throws std::runtime_error starting with the file's path and saying what is wrong.
  explicit GgufReader(const std::filesystem::path& file);
  GgufReader(GgufReader&&) noexcept;
  GgufReader& operator=(GgufReader&&) noexcept;
  GgufReader(const GgufReader&) = delete;
  GgufReader& operator=(const GgufReader&) = delete;
  ~GgufReader();

  const std::filesystem::path& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t dataOffset() const { return dataOffset_; }  // start of the tensor data in the file

  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return metadata_; }
  const GgufValue* find(const std::string& key) const;  // nullptr when absent
  // Throws naming the file and the key when absent.
  const GgufValue& at(const std::string& key) const;

  const std::vector<GgufTensorEntry>& tensors() const { return tensors_; }
  const GgufTensorEntry* findTensor(const std::string& name) const;
  std::span<const std::byte> bytes(const GgufTensorEntry& tensor) const;
  // All values as float32, row-major in torchShape() order. Throws for a type we do not decode.
  std::vector<float> values(const GgufTensorEntry& tensor) const;
  std::vector<float> values(const std::string& name) const;

 private:
  void parse();
  std::filesystem::path path_;
  const std::byte* data_ = nullptr;
  uint64_t size_ = 0;
  uint32_t version_ = 0;
  uint32_t alignment_ = kGgufDefaultAlignment;
  uint64_t dataOffset_ = 0;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::vector<GgufTensorEntry> tensors_;
};

}  // namespace fts
