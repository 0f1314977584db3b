#pragma once
// `ftstudio import FILE.gguf --out DIR`: a GGUF file of architecture "llama" to a Hugging Face folder
// (config.json, generation_config.json, model.safetensors, the tokenizer files) that the studio and
// transformers load. Tensors are dequantized one at a time to float32 (GgmlDequantize), their q/k rows
// put back in HF's order, and written as bf16 or f32. The folder is staged beside the target and
// renamed into place when complete (StagedFolder): a failed import leaves nothing under the final name.
// Torch-free.
#include "core/io/SafetensorsTypes.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace fts {

// The input file is unusable or unsupported (truncated, corrupt, an architecture, tensor type or
// tokenizer the importer does not convert). The message starts with the file's path.
class GgufImportInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The cancel flag was set: the import stopped before its next tensor and removed what it had staged;
// nothing is left under the output folder's name (an earlier import there stays as it was).
class GgufImportCancelled : public std::runtime_error {
 public:
  GgufImportCancelled() : std::runtime_error("import cancelled: nothing was written under the output folder") {}
};

struct GgufImportProgress {
  int index = 0;  // 1-based
  int count = 0;
  std::string ggufName, hfName, type;  // type: ggml's name, e.g. "Q4_1"
  std::vector<int64_t> shape;          // PyTorch order
};

struct GgufImportOptions {
  SafetensorsDtype dtype = SafetensorsDtype::BF16;  // BF16 or F32
  std::function<void(const GgufImportProgress&)> progress;  // once per tensor, before it is decoded
  const std::atomic<bool>* cancel = nullptr;  // checked before each tensor and before the files are written
};

struct GgufImportResult {
  std::filesystem::path out;
  std::string architecture;    // "LlamaForCausalLM"
  std::string tokenizerKind;   // "bpe" or "sentencepiece"
  std::string modelName;       // general.name ("" when absent)
  int64_t tensors = 0;         // tensors written
  int64_t parameters = 0;      // their values
  std::map<std::string, int64_t> storedTypes;  // ggml type name -> tensors of that type in the file
  std::vector<std::string> files;  // written, relative to out
  std::vector<std::string> notes;
};

// Throws GgufImportInputError for a bad or unsupported input, GgufImportCancelled when options.cancel
// is set, std::runtime_error naming the path for an output problem, std::invalid_argument for a dtype
// other than BF16/F32.
GgufImportResult importGguf(const std::filesystem::path& file, const std::filesystem::path& out, const GgufImportOptions& options = {});

}  // namespace fts
