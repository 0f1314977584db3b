#include "core/export/GgufWriter.h"

#include "core/io/AtomicOutputFile.h"

#include <set>
#include <stdexcept>

namespace fts {
namespace {

uint64_t alignUp(uint64_t n, uint64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

// Little-endian serialisation into a growing buffer (the header: metadata and tensor infos).
struct Bytes {
  std::string buf;
  template <typename T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    buf.append(reinterpret_cast<const char*>(&v), sizeof v);  // little-endian hosts only (as ggml)
  }
  void putString(const std::string& s) {
    put<uint64_t>(s.size());
    buf += s;
  }
  void putValue(const GgufValue& v, bool withType) {
    if (withType) put<uint32_t>(static_cast<uint32_t>(v.type));
    switch (v.type) {
      case GgufType::U8: put<uint8_t>(static_cast<uint8_t>(v.asUnsigned())); break;
      case GgufType::I8: put<int8_t>(static_cast<int8_t>(v.asSigned())); break;
      case GgufType::U16: put<uint16_t>(static_cast<uint16_t>(v.asUnsigned())); break;
      case GgufType::I16: put<int16_t>(static_cast<int16_t>(v.asSigned())); break;
      case GgufType::U32: put<uint32_t>(static_cast<uint32_t>(v.asUnsigned())); break;
      case GgufType::I32: put<int32_t>(static_cast<int32_t>(v.asSigned())); break;
      case GgufType::U64: put<uint64_t>(v.asUnsigned()); break;
      case GgufType::I64: put<int64_t>(v.asSigned()); break;
      case GgufType::F32: put<float>(static_cast<float>(v.asFloat())); break;
      case GgufType::F64: put<double>(v.asFloat()); break;
      case GgufType::BOOL: put<uint8_t>(v.asBool() ? 1 : 0); break;
      case GgufType::STRING: putString(v.asString()); break;
      case GgufType::ARRAY:
        put<uint32_t>(static_cast<uint32_t>(v.elementType));
        put<uint64_t>(v.items.size());
        for (const auto& item : v.items) {
          if (item.type != v.elementType)
            throw std::invalid_argument("GGUF array of " + std::string(ggufTypeName(v.elementType)) + " holds a " +
                                        std::string(ggufTypeName(item.type)));
          putValue(item, /*withType=*/false);  // array elements carry no type of their own
        }
        break;
    }
  }
};

std::string header(const std::vector<std::pair<std::string, GgufValue>>& metadata, const std::vector<GgufTensorInfo>& infos) {
  Bytes b;
  b.put<uint32_t>(kGgufMagic);
  b.put<uint32_t>(kGgufVersion);
  b.put<uint64_t>(infos.size());
  b.put<uint64_t>(metadata.size());
  for (const auto& [key, value] : metadata) {
    b.putString(key);
    b.putValue(value, /*withType=*/true);
  }
  for (const auto& t : infos) {
    b.putString(t.name);
    b.put<uint32_t>(static_cast<uint32_t>(t.ne.size()));
    for (uint64_t d : t.ne) b.put<uint64_t>(d);
    b.put<uint32_t>(static_cast<uint32_t>(t.type));
    b.put<uint64_t>(t.offset);
  }
  return std::move(b.buf);
}

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    throw std::invalid_argument("GGUF alignment must be a power of two, not " + std::to_string(alignment));
  // Written even at its default value: a reader never has to guess.
  set("general.alignment", GgufValue::u32(alignment));
}

void GgufWriter::set(const std::string& key, GgufValue value) {
  for (auto& [k, v] : metadata_)
    if (k == key) {
      v = std::move(value);
      return;
    }
  metadata_.emplace_back(key, std::move(value));
}

void GgufWriter::addTensor(const std::string& name, const std::vector<int64_t>& shape, std::span<const float> values, GgmlType type) {
  for (const auto& t : infos_)
    if (t.name == name) throw std::invalid_argument("GGUF tensor '" + name + "' added twice");
  if (name.empty() || name.size() >= 64)  // ggml's GGML_MAX_NAME
    throw std::invalid_argument("GGUF tensor name '" + name + "' must have 1 to 63 bytes");
  GgufTensorInfo info;
  info.name = name;
  uint64_t numel = 1;
  for (auto it = shape.rbegin(); it != shape.rend(); ++it) {
    if (*it <= 0) throw std::invalid_argument("GGUF tensor '" + name + "' has an empty or negative dimension");
    info.ne.push_back(static_cast<uint64_t>(*it));
    numel *= static_cast<uint64_t>(*it);
  }
  if (info.ne.empty() || info.ne.size() > 4)  // ggml's GGML_MAX_DIMS
    throw std::invalid_argument("GGUF tensor '" + name + "' must have 1 to 4 dimensions");
  if (numel != values.size())
    throw std::invalid_argument("GGUF tensor '" + name + "': " + std::to_string(values.size()) + " values for a shape of " +
                                std::to_string(numel));
  info.type = type;
  std::vector<std::byte> bytes;
  try {
    bytes = encodeGgml(values, type, info.ne[0]);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("GGUF tensor '" + name + "': " + e.what());
  }
  info.offset = alignUp(dataBytes_, alignment_);
  dataBytes_ = info.offset + bytes.size();
  infos_.push_back(std::move(info));
  data_.push_back(std::move(bytes));
}

// ggml's own reader sizes the data section as every tensor padded to the alignment, the last one too,
// and reads that many bytes: so the file ends with the last tensor's padding.
uint64_t GgufWriter::fileSize() const {
  return alignUp(header(metadata_, infos_).size(), alignment_) + alignUp(dataBytes_, alignment_);
}

void GgufWriter::write(const std::filesystem::path& file) const {
  const std::string head = header(metadata_, infos_);
  const std::string zeros(alignment_, '\0');
  AtomicOutputFile out(file);
  out.write(head);
  out.write(std::string_view(zeros).substr(0, alignUp(head.size(), alignment_) - head.size()));
  uint64_t at = 0;
  for (size_t i = 0; i < infos_.size(); ++i) {
    out.write(std::string_view(zeros).substr(0, infos_[i].offset - at));
    out.write(std::span<const std::byte>(data_[i]));
    at = infos_[i].offset + data_[i].size();
  }
  out.write(std::string_view(zeros).substr(0, alignUp(at, alignment_) - at));
  out.commit();
}

}  // namespace fts
