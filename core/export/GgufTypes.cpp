#include "core/export/GgufTypes.h"

#include "core/export/FloatFormats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace fts {

std::string_view ggufTypeName(GgufType type) {
  switch (type) {
    case GgufType::U8: return "uint8";
    case GgufType::I8: return "int8";
    case GgufType::U16: return "uint16";
    case GgufType::I16: return "int16";
    case GgufType::U32: return "uint32";
    case GgufType::I32: return "int32";
    case GgufType::F32: return "float32";
    case GgufType::BOOL: return "bool";
    case GgufType::STRING: return "string";
    case GgufType::ARRAY: return "array";
    case GgufType::U64: return "uint64";
    case GgufType::I64: return "int64";
    case GgufType::F64: return "float64";
  }
  return "unknown";
}

std::string_view ggmlTypeName(GgmlType type) {
  switch (type) {
    case GgmlType::F32: return "F32";
    case GgmlType::F16: return "F16";
    case GgmlType::Q8_0: return "Q8_0";
    case GgmlType::BF16: return "BF16";
  }
  return "unknown";
}

std::optional<GgmlType> ggmlTypeFromNumber(uint32_t n) {
  switch (n) {
    case 0: return GgmlType::F32;
    case 1: return GgmlType::F16;
    case 8: return GgmlType::Q8_0;
    case 30: return GgmlType::BF16;
    default: return std::nullopt;
  }
}

uint64_t ggmlByteSize(GgmlType type, uint64_t count) {
  switch (type) {
    case GgmlType::F32: return 4 * count;
    case GgmlType::F16:
    case GgmlType::BF16: return 2 * count;
    case GgmlType::Q8_0:
      if (count % kQ8_0BlockValues != 0)
        throw std::invalid_argument("Q8_0 stores blocks of 32 values; " + std::to_string(count) + " is not a multiple of 32");
      return count / kQ8_0BlockValues * kQ8_0BlockBytes;
  }
  throw std::invalid_argument("unknown ggml type");
}

GgufValue GgufValue::u32(uint32_t v) { return {GgufType::U32, uint64_t{v}, {}, {}}; }
GgufValue GgufValue::i32(int32_t v) { return {GgufType::I32, int64_t{v}, {}, {}}; }
GgufValue GgufValue::u64(uint64_t v) { return {GgufType::U64, v, {}, {}}; }
GgufValue GgufValue::f32(float v) { return {GgufType::F32, double{v}, {}, {}}; }
GgufValue GgufValue::boolean(bool v) { return {GgufType::BOOL, v, {}, {}}; }
GgufValue GgufValue::string(std::string v) { return {GgufType::STRING, std::move(v), {}, {}}; }
GgufValue GgufValue::array(GgufType elementType, std::vector<GgufValue> items) {
  GgufValue a;
  a.type = GgufType::ARRAY;
  a.elementType = elementType;
  a.items = std::move(items);
  return a;
}
GgufValue GgufValue::strings(const std::vector<std::string>& v) {
  std::vector<GgufValue> items;
  items.reserve(v.size());
  for (const auto& s : v) items.push_back(string(s));
  return array(GgufType::STRING, std::move(items));
}
GgufValue GgufValue::f32s(const std::vector<float>& v) {
  std::vector<GgufValue> items;
  items.reserve(v.size());
  for (float x : v) items.push_back(f32(x));
  return array(GgufType::F32, std::move(items));
}
GgufValue GgufValue::i32s(const std::vector<int32_t>& v) {
  std::vector<GgufValue> items;
  items.reserve(v.size());
  for (int32_t x : v) items.push_back(i32(x));
  return array(GgufType::I32, std::move(items));
}

namespace {
[[noreturn]] void wrongKind(const GgufValue& v, const char* wanted) {
  throw std::runtime_error(std::string("GGUF value is ") + std::string(ggufTypeName(v.type)) + ", not " + wanted);
}
}  // namespace

uint64_t GgufValue::asUnsigned() const {
  if (const auto* u = std::get_if<uint64_t>(&scalar); u && type != GgufType::ARRAY) return *u;
  if (const auto* i = std::get_if<int64_t>(&scalar); i && *i >= 0 && type != GgufType::ARRAY) return static_cast<uint64_t>(*i);
  wrongKind(*this, "a non-negative integer");
}
int64_t GgufValue::asSigned() const {
  if (const auto* i = std::get_if<int64_t>(&scalar); i && type != GgufType::ARRAY) return *i;
  if (const auto* u = std::get_if<uint64_t>(&scalar); u && type != GgufType::ARRAY && *u <= INT64_MAX) return static_cast<int64_t>(*u);
  wrongKind(*this, "an integer");
}
double GgufValue::asFloat() const {
  if (type == GgufType::ARRAY) wrongKind(*this, "a number");
  if (const auto* d = std::get_if<double>(&scalar)) return *d;
  if (const auto* u = std::get_if<uint64_t>(&scalar)) return static_cast<double>(*u);
  if (const auto* i = std::get_if<int64_t>(&scalar)) return static_cast<double>(*i);
  wrongKind(*this, "a number");
}
bool GgufValue::asBool() const {
  if (type == GgufType::BOOL) return std::get<bool>(scalar);
  wrongKind(*this, "a bool");
}
const std::string& GgufValue::asString() const {
  if (type == GgufType::STRING) return std::get<std::string>(scalar);
  wrongKind(*this, "a string");
}

uint64_t GgufTensorInfo::numel() const {
  uint64_t n = 1;
  for (uint64_t d : ne) n *= d;
  return n;
}

std::vector<int64_t> GgufTensorInfo::torchShape() const {
  std::vector<int64_t> s;
  for (auto it = ne.rbegin(); it != ne.rend(); ++it) s.push_back(static_cast<int64_t>(*it));
  return s;
}

std::vector<std::byte> encodeGgml(std::span<const float> values, GgmlType type, uint64_t rowLength) {
  std::vector<std::byte> out(ggmlByteSize(type, values.size()));
  auto put16 = [&](size_t at, uint16_t v) {  // little-endian
    out[at] = static_cast<std::byte>(v & 0xff);
    out[at + 1] = static_cast<std::byte>(v >> 8);
  };
  switch (type) {
    case GgmlType::F32:
      std::memcpy(out.data(), values.data(), out.size());  // hosts we build for are little-endian
      break;
    case GgmlType::F16:
      for (size_t i = 0; i < values.size(); ++i) put16(2 * i, floatToHalf(values[i]));
      break;
    case GgmlType::BF16:
      for (size_t i = 0; i < values.size(); ++i) put16(2 * i, floatToBf16(values[i]));
      break;
    case GgmlType::Q8_0: {
      // Blocks never straddle rows: ggml quantizes row by row, so the row length must be whole blocks.
      if (rowLength == 0 || rowLength % kQ8_0BlockValues != 0)
        throw std::invalid_argument("Q8_0 needs rows whose length is a multiple of 32, not " + std::to_string(rowLength));
      const size_t blocks = values.size() / kQ8_0BlockValues;
      for (size_t b = 0; b < blocks; ++b) {
        const float* x = values.data() + b * kQ8_0BlockValues;
        float amax = 0;
        for (size_t j = 0; j < kQ8_0BlockValues; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float inv = d != 0 ? 1.0f / d : 0.0f;
        const size_t at = b * kQ8_0BlockBytes;
        put16(at, floatToHalf(d));
        for (size_t j = 0; j < kQ8_0BlockValues; ++j) {
          // roundf: halves away from zero. |x * inv| <= 127 up to rounding, clamp for safety.
          const float q = std::clamp(std::round(x[j] * inv), -127.0f, 127.0f);
          out[at + 2 + j] = static_cast<std::byte>(static_cast<int8_t>(q));
        }
      }
      break;
    }
  }
  return out;
}

void decodeGgml(std::span<const std::byte> bytes, GgmlType type, std::span<float> out) {
  if (bytes.size() != ggmlByteSize(type, out.size()))
    throw std::invalid_argument("decodeGgml: " + std::to_string(bytes.size()) + " bytes do not hold " + std::to_string(out.size()) +
                                " values of type " + std::string(ggmlTypeName(type)));
  auto get16 = [&](size_t at) {
    return static_cast<uint16_t>(std::to_integer<uint16_t>(bytes[at]) | (std::to_integer<uint16_t>(bytes[at + 1]) << 8));
  };
  switch (type) {
    case GgmlType::F32:
      std::memcpy(out.data(), bytes.data(), bytes.size());
      break;
    case GgmlType::F16:
      for (size_t i = 0; i < out.size(); ++i) out[i] = halfToFloat(get16(2 * i));
      break;
    case GgmlType::BF16:
      for (size_t i = 0; i < out.size(); ++i) out[i] = bf16ToFloat(get16(2 * i));
      break;
    case GgmlType::Q8_0:
      for (size_t b = 0; b < out.size() / kQ8_0BlockValues; ++b) {
        const size_t at = b * kQ8_0BlockBytes;
        const float d = halfToFloat(get16(at));
        for (size_t j = 0; j < kQ8_0BlockValues; ++j)
          out[b * kQ8_0BlockValues + j] = d * static_cast<float>(static_cast<int8_t>(std::to_integer<uint8_t>(bytes[at + 2 + j])));
      }
      break;
  }
}

}  // namespace fts
