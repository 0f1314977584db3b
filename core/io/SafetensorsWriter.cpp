#include "core/io/SafetensorsWriter.h"

#include "core/io/AtomicOutputFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace fts {
namespace {

// The file's first 8 + N bytes and the order the tensors' bytes follow in.
struct Layout {
  std::string prefix;  // length (8 bytes, little-endian) + padded JSON header
  std::vector<const TensorView*> order;
  uint64_t dataBytes = 0;
};

Layout planLayout(const std::vector<TensorView>& tensors, const SafetensorsMetadata& metadata) {
  Layout L;
  std::set<std::string_view> names;
  for (const auto& t : tensors) {
    auto bad = [&](const std::string& what) {
      throw std::invalid_argument("safetensors writer: tensor '" + t.name + "': " + what);
    };
    if (t.name.empty()) bad("a tensor needs a name");
    if (t.name == "__metadata__") bad("the name is reserved for the metadata map");
    if (!names.insert(t.name).second) bad("the name appears twice");
    const auto numel = shapeNumel(t.shape);
    if (!numel) bad("shape " + shapeString(t.shape) + " has a negative dimension or too many elements");
    if (t.bytes.size() != *numel * dtypeSize(t.dtype))
      bad(std::to_string(t.bytes.size()) + " bytes given, but " + std::string(dtypeName(t.dtype)) + " with shape " +
          shapeString(t.shape) + " needs " + std::to_string(*numel * dtypeSize(t.dtype)));
    L.order.push_back(&t);
  }
  std::sort(L.order.begin(), L.order.end(), [](const TensorView* a, const TensorView* b) {
    const size_t sa = dtypeSize(a->dtype), sb = dtypeSize(b->dtype);
    return sa != sb ? sa > sb : a->name < b->name;
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  for (const auto* t : L.order) {
    const uint64_t begin = L.dataBytes;
    L.dataBytes += t->bytes.size();
    header[t->name] = {{"dtype", std::string(dtypeName(t->dtype))},
                       {"shape", t->shape},
                       {"data_offsets", {begin, L.dataBytes}}};
  }
  std::string json = header.dump();
  // Spaces (valid JSON whitespace) up to a multiple of 8, so the data section starts 8-byte aligned.
  json.append((8 - json.size() % 8) % 8, ' ');
  L.prefix.resize(8);
  uint64_t n = json.size();
  for (int i = 0; i < 8; ++i, n >>= 8) L.prefix[i] = static_cast<char>(n & 0xff);
  L.prefix += json;
  return L;
}

}  // namespace

uint64_t safetensorsFileSize(const std::vector<TensorView>& tensors, const SafetensorsMetadata& metadata) {
  const Layout L = planLayout(tensors, metadata);
  return L.prefix.size() + L.dataBytes;
}

std::string serializeSafetensors(const std::vector<TensorView>& tensors, const SafetensorsMetadata& metadata) {
  const Layout L = planLayout(tensors, metadata);
  std::string out = L.prefix;
  out.reserve(L.prefix.size() + L.dataBytes);
  for (const auto* t : L.order) out.append(reinterpret_cast<const char*>(t->bytes.data()), t->bytes.size());
  return out;
}

void writeSafetensors(const std::filesystem::path& file, const std::vector<TensorView>& tensors,
                      const SafetensorsMetadata& metadata) {
  Layout L;
  try {
    L = planLayout(tensors, metadata);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(file.string() + ": " + e.what());
  }
  AtomicOutputFile out(file);
  out.write(L.prefix);
  for (const auto* t : L.order) out.write(t->bytes);
  out.commit();
}

}  // namespace fts
