#include "core/export/GgufReader.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fts {
namespace {

// Limits that keep a corrupt count from allocating the machine away; real files are far below them.
constexpr uint64_t kMaxStringBytes = 1ull << 30;
constexpr uint64_t kMaxArrayDepth = 8;

// A bounds-checked little-endian cursor over the mapped file.
class Cursor {
 public:
  Cursor(const std::byte* data, uint64_t size, const std::filesystem::path& path) : data_(data), size_(size), path_(path) {}
  uint64_t position() const { return at_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(path_.string() + ": at byte " + std::to_string(at_) + ": " + what +
                             " (the file is truncated or not a GGUF file written by a compatible tool)");
  }
  void need(uint64_t n, const char* what) const {
    if (n > size_ - at_) fail(std::string("the file ends inside ") + what);
  }
  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, data_ + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string string(const char* what) {
    const uint64_t n = get<uint64_t>(what);
    if (n > kMaxStringBytes) fail(std::string(what) + " claims " + std::to_string(n) + " bytes");
    need(n, what);
    std::string s(reinterpret_cast<const char*>(data_ + at_), n);
    at_ += n;
    return s;
  }
  GgufValue value(GgufType type, const std::string& key, unsigned depth) {
    const char* what = "a metadata value";
    switch (type) {
      case GgufType::U8: return {type, uint64_t{get<uint8_t>(what)}, {}, {}};
      case GgufType::I8: return {type, int64_t{get<int8_t>(what)}, {}, {}};
      case GgufType::U16: return {type, uint64_t{get<uint16_t>(what)}, {}, {}};
      case GgufType::I16: return {type, int64_t{get<int16_t>(what)}, {}, {}};
      case GgufType::U32: return {type, uint64_t{get<uint32_t>(what)}, {}, {}};
      case GgufType::I32: return {type, int64_t{get<int32_t>(what)}, {}, {}};
      case GgufType::U64: return {type, get<uint64_t>(what), {}, {}};
      case GgufType::I64: return {type, get<int64_t>(what), {}, {}};
      case GgufType::F32: return {type, double{get<float>(what)}, {}, {}};
      case GgufType::F64: return {type, get<double>(what), {}, {}};
      case GgufType::BOOL: {
        const uint8_t b = get<uint8_t>(what);
        if (b > 1) fail("metadata '" + key + "' is a bool holding " + std::to_string(b));
        return {type, b == 1, {}, {}};
      }
      case GgufType::STRING: return {type, string(what), {}, {}};
      case GgufType::ARRAY: {
        if (depth >= kMaxArrayDepth) fail("metadata '" + key + "' nests arrays too deeply");
        const uint32_t element = get<uint32_t>("an array type");
        if (element > static_cast<uint32_t>(GgufType::F64)) fail("metadata '" + key + "' is an array of unknown type " + std::to_string(element));
        const uint64_t n = get<uint64_t>("an array length");
        if (n > size_ - at_) fail("metadata '" + key + "' claims " + std::to_string(n) + " elements, more than the file has bytes");
        std::vector<GgufValue> items;
        items.reserve(n);
        for (uint64_t i = 0; i < n; ++i) items.push_back(value(static_cast<GgufType>(element), key, depth + 1));
        return GgufValue::array(static_cast<GgufType>(element), std::move(items));
      }
    }
    fail("metadata '" + key + "' has unknown value type " + std::to_string(static_cast<uint32_t>(type)));
  }

 private:
  const std::byte* data_;
  uint64_t size_;
  uint64_t at_ = 0;
  const std::filesystem::path& path_;
};

}  // namespace

GgufReader::GgufReader(const std::filesystem::path& file) : path_(file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(file.string() + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error(file.string() + ": cannot stat: " + reason);
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ < 24) {
    ::close(fd);
    throw std::runtime_error(file.string() + ": " + std::to_string(size_) + " bytes is too small for a GGUF file");
  }
  void* map = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) throw std::runtime_error(file.string() + ": cannot map: " + std::strerror(errno));
  data_ = static_cast<const std::byte*>(map);
  try {
    parse();
  } catch (...) {
    ::munmap(const_cast<std::byte*>(data_), size_);
    data_ = nullptr;
    throw;
  }
}

GgufReader::GgufReader(GgufReader&& o) noexcept { *this = std::move(o); }
GgufReader& GgufReader::operator=(GgufReader&& o) noexcept {
  if (this != &o) {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
    path_ = std::move(o.path_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    version_ = o.version_;
    alignment_ = o.alignment_;
    dataOffset_ = o.dataOffset_;
    metadata_ = std::move(o.metadata_);
    tensors_ = std::move(o.tensors_);
  }
  return *this;
}
GgufReader::~GgufReader() {
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

void GgufReader::parse() {
  Cursor c(data_, size_, path_);
  if (c.get<uint32_t>("the magic number") != kGgufMagic) c.fail("the file does not start with \"GGUF\": it is not a GGUF file");
  version_ = c.get<uint32_t>("the version");
  if (version_ != 2 && version_ != 3) c.fail("GGUF version " + std::to_string(version_) + " is not supported (2 and 3 are)");
  const uint64_t nTensors = c.get<uint64_t>("the tensor count");
  const uint64_t nMetadata = c.get<uint64_t>("the metadata count");
  if (nTensors > size_ || nMetadata > size_) c.fail("the tensor or metadata count is larger than the file");
  for (uint64_t i = 0; i < nMetadata; ++i) {
    std::string key = c.string("a metadata key");
    const uint32_t type = c.get<uint32_t>("a metadata type");
    if (type > static_cast<uint32_t>(GgufType::F64)) c.fail("metadata '" + key + "' has unknown value type " + std::to_string(type));
    GgufValue v = c.value(static_cast<GgufType>(type), key, 0);
    metadata_.emplace_back(std::move(key), std::move(v));
  }
  if (const GgufValue* a = find("general.alignment")) {
    const uint64_t al = a->asUnsigned();
    if (al == 0 || (al & (al - 1)) != 0 || al > (1u << 20)) c.fail("general.alignment " + std::to_string(al) + " is not a power of two");
    alignment_ = static_cast<uint32_t>(al);
  }
  for (uint64_t i = 0; i < nTensors; ++i) {
    GgufTensorEntry t;
    t.info.name = c.string("a tensor name");
    const uint32_t dims = c.get<uint32_t>("a tensor's dimension count");
    if (dims == 0 || dims > 4) c.fail("tensor '" + t.info.name + "' has " + std::to_string(dims) + " dimensions (1 to 4 allowed)");
    uint64_t numel = 1;
    for (uint32_t d = 0; d < dims; ++d) {
      const uint64_t n = c.get<uint64_t>("a tensor dimension");
      if (n == 0 || n > size_ * 64 || numel > (size_ * 64) / n) c.fail("tensor '" + t.info.name + "' has an impossible shape");
      numel *= n;
      t.info.ne.push_back(n);
    }
    t.rawType = c.get<uint32_t>("a tensor type");
    const auto type = ggmlTypeFromNumber(t.rawType);
    t.known = type.has_value();
    if (type) t.info.type = *type;
    t.info.offset = c.get<uint64_t>("a tensor offset");
    if (t.info.offset % alignment_ != 0) c.fail("tensor '" + t.info.name + "' starts at an offset that is not aligned");
    tensors_.push_back(std::move(t));
  }
  dataOffset_ = (c.position() + alignment_ - 1) / alignment_ * alignment_;
  for (const auto& t : tensors_) {
    if (!t.known) continue;  // its size depends on a block layout we do not know
    uint64_t bytes;
    try {
      bytes = t.info.byteSize();
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(path_.string() + ": tensor '" + t.info.name + "': " + e.what());
    }
    if (dataOffset_ > size_ || t.info.offset > size_ - dataOffset_ || bytes > size_ - dataOffset_ - t.info.offset)
      throw std::runtime_error(path_.string() + ": tensor '" + t.info.name + "' reaches past the end of the file (truncated?)");
  }
}

const GgufValue* GgufReader::find(const std::string& key) const {
  for (const auto& [k, v] : metadata_)
    if (k == key) return &v;
  return nullptr;
}

const GgufValue& GgufReader::at(const std::string& key) const {
  if (const GgufValue* v = find(key)) return *v;
  throw std::runtime_error(path_.string() + ": has no metadata '" + key + "'");
}

const GgufTensorEntry* GgufReader::findTensor(const std::string& name) const {
  for (const auto& t : tensors_)
    if (t.info.name == name) return &t;
  return nullptr;
}

std::span<const std::byte> GgufReader::bytes(const GgufTensorEntry& t) const {
  if (!t.known)
    throw std::runtime_error(path_.string() + ": tensor '" + t.info.name + "' has ggml type " + std::to_string(t.rawType) +
                             ", which is not read here (F32, F16, BF16 and Q8_0 are)");
  return {data_ + dataOffset_ + t.info.offset, t.info.byteSize()};
}

std::vector<float> GgufReader::values(const GgufTensorEntry& t) const {
  std::vector<float> out(t.info.numel());
  decodeGgml(bytes(t), t.info.type, out);
  return out;
}

std::vector<float> GgufReader::values(const std::string& name) const {
  const GgufTensorEntry* t = findTensor(name);
  if (!t) throw std::runtime_error(path_.string() + ": has no tensor '" + name + "'");
  return values(*t);
}

}  // namespace fts
