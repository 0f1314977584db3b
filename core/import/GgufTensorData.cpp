#include "core/import/GgufTensorData.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fts {

GgufTensorData::GgufTensorData(const GgufReader& reader) : path_(reader.path()), dataOffset_(reader.dataOffset()) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path_.string() + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error(path_.string() + ": cannot stat: " + reason);
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ == 0) {
    ::close(fd);
    throw std::runtime_error(path_.string() + ": the file is empty");
  }
  void* map = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) throw std::runtime_error(path_.string() + ": cannot map: " + std::strerror(errno));
  data_ = static_cast<const std::byte*>(map);
}

GgufTensorData::~GgufTensorData() {
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

GgmlQuant GgufTensorData::type(const GgufTensorEntry& t) const {
  const auto type = ggmlQuantFromNumber(t.rawType);
  if (!type)
    throw std::runtime_error(path_.string() + ": tensor '" + t.info.name + "' is stored as " + ggmlTypeNumberName(t.rawType) +
                             " (ggml type " + std::to_string(t.rawType) +
                             "), which the importer does not decode (it reads F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K): "
                             "convert the model to one of those with llama.cpp's llama-quantize");
  return *type;
}

std::span<const std::byte> GgufTensorData::bytes(const GgufTensorEntry& t) const {
  const GgmlQuant ty = type(t);
  uint64_t n;
  try {
    n = ggmlTensorBytes(ty, t.info.numel(), t.info.ne.empty() ? 0 : t.info.ne[0]);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path_.string() + ": tensor '" + t.info.name + "': " + e.what());
  }
  if (dataOffset_ > size_ || t.info.offset > size_ - dataOffset_ || n > size_ - dataOffset_ - t.info.offset)
    throw std::runtime_error(path_.string() + ": tensor '" + t.info.name + "' (" + std::to_string(n) + " bytes at byte " +
                             std::to_string(dataOffset_ + t.info.offset) + ") reaches past the end of the file (" + std::to_string(size_) +
                             " bytes): the file is truncated; download or copy it again");
  return {data_ + dataOffset_ + t.info.offset, n};
}

std::vector<float> GgufTensorData::values(const GgufTensorEntry& t) const {
  const auto raw = bytes(t);
  std::vector<float> out(t.info.numel());
  dequantizeGgml(type(t), raw, out);
  for (size_t i = 0; i < out.size(); ++i)
    if (!std::isfinite(out[i]))
      throw std::runtime_error(path_.string() + ": tensor '" + t.info.name + "' decodes to " + std::to_string(out[i]) + " at value " +
                               std::to_string(i) + ": the file is corrupt (a scale is not a finite number)");
  return out;
}

}  // namespace fts
