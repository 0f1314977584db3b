#pragma once
// The vocabulary of GGUF version 3 (llama.cpp's single-file model format), shared by GgufWriter and
// GgufReader. Torch-free. The layout of a file:
//
//   uint32 magic "GGUF" | uint32 version (3) | uint64 tensor count | uint64 metadata count
//   metadata: { string key, uint32 value type, value }*      (strings: uint64 length + UTF-8 bytes)
//   tensor infos: { string name, uint32 n_dims, uint64 ne[n_dims], uint32 ggml type, uint64 offset }*
//   padding to general.alignment (32 by default), then the tensor data, each tensor at its offset
//   (relative to the start of the data, a multiple of the alignment).
//
// All numbers are little-endian. ne[] is in ggml's order, innermost (fastest-varying) dimension first:
// the reverse of PyTorch's shape, so a Linear weight [out, in] is stored with ne = {in, out}.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fts {

inline constexpr uint32_t kGgufMagic = 0x46554747;  // the bytes "GGUF" read as a little-endian uint32
inline constexpr uint32_t kGgufVersion = 3;
inline constexpr uint32_t kGgufDefaultAlignment = 32;

// Metadata value types, with their numbers in the file.
enum class GgufType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8, ARRAY = 9,
  U64 = 10, I64 = 11, F64 = 12,
};
std::string_view ggufTypeName(GgufType type);

// The tensor element types we write and read (ggml_type numbers). Q8_0 packs blocks of 32 values as
// one float16 scale d followed by 32 int8 q, value = d * q (34 bytes per block).
enum class GgmlType : uint32_t { F32 = 0, F16 = 1, Q8_0 = 8, BF16 = 30 };
inline constexpr uint64_t kQ8_0BlockValues = 32;
inline constexpr uint64_t kQ8_0BlockBytes = 2 + 32;
std::string_view ggmlTypeName(GgmlType type);  // "F32", "F16", "Q8_0", "BF16"
std::optional<GgmlType> ggmlTypeFromNumber(uint32_t number);
// Bytes of `count` values of `type`; Q8_0 needs a multiple of 32 (throws std::invalid_argument otherwise).
uint64_t ggmlByteSize(GgmlType type, uint64_t count);

// One metadata value: a scalar, or an array of values of one type (arrays may nest, though the keys we
// write never do). Integers keep their declared width in `type`; the accessors convert.
struct GgufValue {
  GgufType type = GgufType::U32;
  std::variant<uint64_t, int64_t, double, bool, std::string> scalar;  // by kind: unsigned, signed, float, bool, string
  GgufType elementType = GgufType::U8;  // arrays only
  std::vector<GgufValue> items;         // arrays only

  static GgufValue u32(uint32_t v);
  static GgufValue i32(int32_t v);
  static GgufValue u64(uint64_t v);
  static GgufValue f32(float v);
  static GgufValue boolean(bool v);
  static GgufValue string(std::string v);
  static GgufValue array(GgufType elementType, std::vector<GgufValue> items);
  static GgufValue strings(const std::vector<std::string>& v);
  static GgufValue f32s(const std::vector<float>& v);
  static GgufValue i32s(const std::vector<int32_t>& v);

  bool isArray() const { return type == GgufType::ARRAY; }
  // Throw std::runtime_error saying what the value is when it is not of the asked kind.
  uint64_t asUnsigned() const;  // any integer type holding a value >= 0
  int64_t asSigned() const;     // any integer type
  double asFloat() const;       // F32, F64, or any integer
  bool asBool() const;
  const std::string& asString() const;
};

// A tensor as a GGUF file describes it.
struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> ne;  // ggml order: innermost dimension first
  GgmlType type = GgmlType::F32;
  uint64_t offset = 0;       // from the start of the data section
  uint64_t numel() const;
  uint64_t byteSize() const { return ggmlByteSize(type, numel()); }
  std::vector<int64_t> torchShape() const;  // PyTorch order: ne reversed
};

// Encodes float32 values (row-major, rows of `rowLength`) as `type`. Q8_0 quantizes each block of 32
// along a row: d = max|x| / 127 (stored as float16), q = round(x / d) (an all-zero block stores d = 0).
// Throws std::invalid_argument when Q8_0 is asked for a row length that is not a multiple of 32.
std::vector<std::byte> encodeGgml(std::span<const float> values, GgmlType type, uint64_t rowLength);
// The inverse (Q8_0: d * q). `out.size()` values are decoded; `bytes` must hold exactly that many.
void decodeGgml(std::span<const std::byte> bytes, GgmlType type, std::span<float> out);

}  // namespace fts
