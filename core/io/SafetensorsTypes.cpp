#include "core/io/SafetensorsTypes.h"

#include <array>
#include <limits>
#include <utility>

namespace fts {
namespace {

struct DtypeRow {
  SafetensorsDtype dtype;
  std::string_view name;
  size_t size;
};

constexpr std::array<DtypeRow, 10> kDtypes{{
    {SafetensorsDtype::F64, "F64", 8},
    {SafetensorsDtype::F32, "F32", 4},
    {SafetensorsDtype::F16, "F16", 2},
    {SafetensorsDtype::BF16, "BF16", 2},
    {SafetensorsDtype::I64, "I64", 8},
    {SafetensorsDtype::I32, "I32", 4},
    {SafetensorsDtype::I16, "I16", 2},
    {SafetensorsDtype::I8, "I8", 1},
    {SafetensorsDtype::U8, "U8", 1},
    {SafetensorsDtype::BOOL, "BOOL", 1},
}};

const DtypeRow& row(SafetensorsDtype dtype) {
  for (const auto& r : kDtypes)
    if (r.dtype == dtype) return r;
  return kDtypes[1];  // unreachable: every enumerator has a row
}

}  // namespace

std::string_view dtypeName(SafetensorsDtype dtype) { return row(dtype).name; }
size_t dtypeSize(SafetensorsDtype dtype) { return row(dtype).size; }

std::optional<SafetensorsDtype> dtypeFromName(std::string_view name) {
  for (const auto& r : kDtypes)
    if (r.name == name) return r.dtype;
  return std::nullopt;
}

std::optional<uint64_t> shapeNumel(const std::vector<int64_t>& shape) {
  uint64_t n = 1;
  for (const int64_t d : shape) {
    if (d < 0) return std::nullopt;
    const auto ud = static_cast<uint64_t>(d);
    if (ud != 0 && n > std::numeric_limits<uint64_t>::max() / ud) return std::nullopt;
    n *= ud;
  }
  return n;
}

std::string shapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace fts
