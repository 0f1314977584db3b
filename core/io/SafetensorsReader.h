#pragma once
// Reads a safetensors file: an 8-byte little-endian header length N, N bytes of JSON describing each
// tensor (dtype, shape, data_offsets relative to the data section) plus an optional "__metadata__" map
// of strings, then the raw tensor bytes. The file is memory-mapped, so opening a multi-gigabyte model
// costs only the header parse; tensor bytes are paged in when a view is read. Files must not be
// truncated in place while a reader has them open (a mapped read past the end is SIGBUS); our writers
// never do that, they write a new file and rename it over the old one.
//
// Opening validates everything before any byte is handed out: header size (a limit guards against a
// garbage length), JSON shape, dtypes, every data_offsets pair in range, byte count = numel * dtype
// size, and that the tensors cover the data section exactly (no overlap, no gap, nothing after).
// Every error is a std::runtime_error that starts with the file's path and says what is wrong.
#include "core/io/SafetensorsTypes.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fts {

// One tensor as the header describes it; offsets are relative to the start of the data section.
struct SafetensorsEntry {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t byteSize() const { return end - begin; }
};

class SafetensorsReader {
 public:
  // Real headers are a few hundred bytes per tensor (about 1 MB for the largest public models).
  static constexpr uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

  // Opens, maps and validates; throws std::runtime_error naming the file and the problem.
  explicit SafetensorsReader(const std::filesystem::path& file);
  SafetensorsReader(SafetensorsReader&& other) noexcept;
  SafetensorsReader& operator=(SafetensorsReader&& other) noexcept;
  SafetensorsReader(const SafetensorsReader&) = delete;
  SafetensorsReader& operator=(const SafetensorsReader&) = delete;
  ~SafetensorsReader();

  const std::filesystem::path& path() const { return path_; }
  // In name order.
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  uint64_t fileSize() const { return fileSize_; }

  const SafetensorsEntry* find(std::string_view name) const;  // nullptr when absent
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  // A view into the mapping, valid while this reader lives. Throws naming the file when absent.
  TensorView view(std::string_view name) const;
  TensorView view(const SafetensorsEntry& entry) const;

 private:
  void parseHeader(std::string_view header, uint64_t dataSize);
  [[noreturn]] void fail(const std::string& what) const;

  std::filesystem::path path_;
  const std::byte* map_ = nullptr;  // the whole file
  uint64_t fileSize_ = 0;
  uint64_t dataStart_ = 0;          // 8 + N
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace fts
