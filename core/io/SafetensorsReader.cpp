#include "core/io/SafetensorsReader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <set>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fts {
namespace {

std::string inQuotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string offsetsString(uint64_t b, uint64_t e) {
  return "data_offsets [" + std::to_string(b) + ", " + std::to_string(e) + "]";
}

std::string knownDtypes() { return "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL"; }

// Closes the descriptor on every path out of the constructor.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

SafetensorsReader::SafetensorsReader(const std::filesystem::path& file) : path_(file) {
  FdGuard fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) fail(std::string("cannot open for reading: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) fail(std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail("not a regular file");
  fileSize_ = static_cast<uint64_t>(st.st_size);
  if (fileSize_ < 8)
    fail("the file is " + std::to_string(fileSize_) +
         " bytes, shorter than the 8-byte header length: it is truncated or not a safetensors file");

  void* p = ::mmap(nullptr, fileSize_, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (p == MAP_FAILED) fail(std::string("cannot memory-map: ") + std::strerror(errno));
  map_ = static_cast<const std::byte*>(p);

  try {
    // The length is little-endian whatever the host; assemble it byte by byte.
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(map_[i]);
    if (n > kMaxHeaderBytes)
      fail("header length " + std::to_string(n) + " bytes is over the " + std::to_string(kMaxHeaderBytes) +
           "-byte limit: the file is corrupt or not a safetensors file");
    if (n > fileSize_ - 8)
      fail("header length " + std::to_string(n) + " bytes is larger than the file (" + std::to_string(fileSize_) +
           " bytes): the file is truncated or not a safetensors file");
    dataStart_ = 8 + n;
    parseHeader(std::string_view(reinterpret_cast<const char*>(map_ + 8), n), fileSize_ - dataStart_);
  } catch (...) {
    ::munmap(const_cast<std::byte*>(map_), fileSize_);
    map_ = nullptr;
    throw;
  }
}

SafetensorsReader::SafetensorsReader(SafetensorsReader&& o) noexcept
    : path_(std::move(o.path_)),
      map_(std::exchange(o.map_, nullptr)),
      fileSize_(std::exchange(o.fileSize_, 0)),
      dataStart_(o.dataStart_),
      entries_(std::move(o.entries_)),
      metadata_(std::move(o.metadata_)) {}

SafetensorsReader& SafetensorsReader::operator=(SafetensorsReader&& o) noexcept {
  if (this != &o) {
    if (map_) ::munmap(const_cast<std::byte*>(map_), fileSize_);
    path_ = std::move(o.path_);
    map_ = std::exchange(o.map_, nullptr);
    fileSize_ = std::exchange(o.fileSize_, 0);
    dataStart_ = o.dataStart_;
    entries_ = std::move(o.entries_);
    metadata_ = std::move(o.metadata_);
  }
  return *this;
}

SafetensorsReader::~SafetensorsReader() {
  if (map_) ::munmap(const_cast<std::byte*>(map_), fileSize_);
}

void SafetensorsReader::fail(const std::string& what) const {
  throw std::runtime_error(path_.string() + ": " + what);
}

void SafetensorsReader::parseHeader(std::string_view header, uint64_t dataSize) {
  if (header.empty() || header.front() != '{')
    fail("the header does not start with '{': the file is corrupt or not a safetensors file");

  // nlohmann keeps the last of duplicated keys silently; a duplicated tensor name is corruption.
  std::string duplicate;
  std::set<std::string> seen;
  const nlohmann::json::parser_callback_t onEvent = [&](int depth, nlohmann::json::parse_event_t event,
                                                         nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      if (!seen.insert(parsed.get<std::string>()).second && duplicate.empty()) duplicate = parsed.get<std::string>();
    }
    return true;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header.begin(), header.end(), onEvent);
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("the header is not valid JSON (") + e.what() + "): the file is corrupt");
  }
  if (!j.is_object()) fail("the header is not a JSON object: the file is corrupt");
  if (!duplicate.empty()) fail("the header names " + inQuotes(duplicate) + " twice: the file is corrupt");

  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail("__metadata__ must be a JSON object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail("__metadata__ value " + inQuotes(m.key()) + " is not a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor " + inQuotes(name);
    if (!v.is_object()) fail(where + ": its header entry is not a JSON object");
    if (!v.contains("dtype") || !v["dtype"].is_string()) fail(where + ": missing or non-string \"dtype\"");
    if (!v.contains("shape") || !v["shape"].is_array()) fail(where + ": missing or non-array \"shape\"");
    if (!v.contains("data_offsets") || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2)
      fail(where + ": \"data_offsets\" must be an array of two integers");

    SafetensorsEntry e;
    e.name = name;
    const std::string dtype = v["dtype"].get<std::string>();
    const auto dt = dtypeFromName(dtype);
    if (!dt) fail(where + " has unknown dtype " + inQuotes(dtype) + " (readable: " + knownDtypes() + ")");
    e.dtype = *dt;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0)
        fail(where + ": shape entries must be non-negative integers, got " + v["shape"].dump());
      e.shape.push_back(d.get<int64_t>());
    }
    for (const auto& o : v["data_offsets"])
      if (!o.is_number_unsigned()) fail(where + ": data_offsets must be non-negative integers, got " + v["data_offsets"].dump());
    e.begin = v["data_offsets"][0].get<uint64_t>();
    e.end = v["data_offsets"][1].get<uint64_t>();
    if (e.end < e.begin) fail(where + ": " + offsetsString(e.begin, e.end) + " end before they begin");
    if (e.end > dataSize)
      fail(where + ": " + offsetsString(e.begin, e.end) + " run past the end of the data section (" +
           std::to_string(dataSize) + " bytes): the file is truncated or corrupt");
    const auto numel = shapeNumel(e.shape);
    const uint64_t elem = dtypeSize(e.dtype);
    if (!numel || *numel > std::numeric_limits<uint64_t>::max() / elem)
      fail(where + ": shape " + shapeString(e.shape) + " has too many elements to address: the file is corrupt");
    const uint64_t need = *numel * elem;
    if (e.byteSize() != need)
      fail(where + ": " + offsetsString(e.begin, e.end) + " hold " + std::to_string(e.byteSize()) + " bytes but " +
           std::string(dtypeName(e.dtype)) + " with shape " + shapeString(e.shape) + " needs " +
           std::to_string(need) + " bytes");
    entries_.push_back(std::move(e));
  }

  // The tensors must tile the data section exactly, as the reference implementation requires: an
  // overlap means two tensors share bytes, a gap or tail means bytes nobody accounts for.
  std::vector<const SafetensorsEntry*> byOffset;
  for (const auto& e : entries_) byOffset.push_back(&e);
  std::sort(byOffset.begin(), byOffset.end(), [](const SafetensorsEntry* a, const SafetensorsEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t covered = 0;
  const SafetensorsEntry* previous = nullptr;
  for (const auto* e : byOffset) {
    if (e->begin < covered)
      fail("tensors " + inQuotes(previous->name) + " (" + offsetsString(previous->begin, previous->end) + ") and " +
           inQuotes(e->name) + " (" + offsetsString(e->begin, e->end) + ") overlap: the file is corrupt");
    if (e->begin > covered)
      fail("data bytes [" + std::to_string(covered) + ", " + std::to_string(e->begin) +
           ") belong to no tensor: the file is corrupt");
    covered = e->end;
    previous = e;
  }
  if (covered != dataSize)
    fail(std::to_string(dataSize - covered) + " data bytes after the last tensor belong to no tensor (data section " +
         std::to_string(dataSize) + " bytes, tensors end at " + std::to_string(covered) + "): the file is corrupt");

  std::sort(entries_.begin(), entries_.end(),
            [](const SafetensorsEntry& a, const SafetensorsEntry& b) { return a.name < b.name; });
}

const SafetensorsEntry* SafetensorsReader::find(std::string_view name) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const SafetensorsEntry& e, std::string_view n) { return e.name < n; });
  return (it != entries_.end() && it->name == name) ? &*it : nullptr;
}

TensorView SafetensorsReader::view(std::string_view name) const {
  const auto* e = find(name);
  if (!e) fail("has no tensor named " + inQuotes(name));
  return view(*e);
}

TensorView SafetensorsReader::view(const SafetensorsEntry& e) const {
  return TensorView{e.name, e.dtype, e.shape, std::span<const std::byte>(map_ + dataStart_ + e.begin, e.byteSize())};
}

}  // namespace fts
