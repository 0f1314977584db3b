#pragma once
// The 16-bit float formats GGUF stores, converted without LibTorch so the GGUF writer and reader stay
// torch-free. Both conversions from float32 round to nearest, ties to even (as PyTorch and NumPy do),
// so a tensor converted here has the same bits as `tensor.to(torch.float16)` or `.astype(np.float16)`.
#include <cstdint>

namespace fts {

// IEEE 754 binary16: 1 sign, 5 exponent, 10 mantissa bits. Values past 65504 round to infinity,
// tiny ones to subnormals or zero; NaN stays NaN.
uint16_t floatToHalf(float value);
float halfToFloat(uint16_t bits);

// bfloat16: the top 16 bits of a float32 (8 exponent bits, so no overflow), rounded.
uint16_t floatToBf16(float value);
float bf16ToFloat(uint16_t bits);

}  // namespace fts
