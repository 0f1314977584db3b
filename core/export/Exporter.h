#pragma once
// The one entry point for exports: a run folder (or a Hugging Face model folder) in, an export folder
// out, proven by reading it back. Torch-free, so the CLI and the GUI call it directly (in a worker).
//
// Every export is a folder, written under a hidden staging name and swapped in whole only after it
// verified: a failure or cancel at any point leaves nothing under the final name. It holds
//   hf:   config.json, model.safetensors (or shards + model.safetensors.index.json),
//         generation_config.json (causal LM), tokenizer.model, tokenizer_config.json,
//         special_tokens_map.json
//   merged: the same files as hf, from a LoRA run's checkpoint with the adapters folded into the base
//         weights (verified against the run's model computing its adapters apart)
//   peft: adapter_config.json, adapter_model.safetensors (PEFT's tensor names; a classifier's score
//         head as modules_to_save), tokenizer.model, tokenizer_config.json, special_tokens_map.json
//         (LoRA runs on a base model; verified by loading the base from its folder and the adapter
//         from the export, as peft does)
//   gguf: model-<dtype>.gguf (llama architecture; causal LM only)
// and always README.md (the model card) and ftstudio_export.json (what was exported, how it verified).
// For a run trained without LoRA, peft and merged are refused: all its weights were trained, there is
// no adapter to write or merge, and hf writes the whole model (core/export/ExportSource.h says why).
#include "core/export/ExportVerification.h"
#include "core/export/ModelCard.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fts {

enum class ExportFormat { HuggingFace, Peft, Merged, Gguf };
enum class ExportDtype { F32, F16, BF16, Q8_0 };

std::string_view exportFormatName(ExportFormat format);  // "hf", "peft", "merged", "gguf"
std::string_view exportDtypeName(ExportDtype dtype);      // "f32", "f16", "bf16", "q8_0"
std::optional<ExportFormat> exportFormatFromName(std::string_view name);
std::optional<ExportDtype> exportDtypeFromName(std::string_view name);

// "5GB" (10^9), "500MB", "2GiB" (2^30), "64KiB", "1000000" -> bytes. Throws std::invalid_argument
// naming the accepted forms.
uint64_t parseByteSize(std::string_view text);

// The marker file every export folder holds: it also lets a later export replace the folder.
inline constexpr const char* kExportManifest = "ftstudio_export.json";

struct ExportOptions {
  ExportFormat format = ExportFormat::HuggingFace;
  ExportDtype dtype = ExportDtype::F32;
  std::filesystem::path out;                    // the export folder (replaced whole if it holds an earlier export)
  uint64_t maxShardBytes = 5'000'000'000;       // hf: shards of at most this many tensor bytes (transformers' default 5GB)
  std::vector<std::string> sampleTexts;         // verification inputs; empty: defaultSampleTexts()
  std::filesystem::path referenceLogitsFile;    // when set: the in-memory model's ids and logits per sample (safetensors)
  ModelCardInfo card;                           // run facts for README.md; empty fields are filled from the run folder
  std::function<void(const std::string& stage)> progress;  // "loading", "writing", "verifying", "finishing"; may throw
  const std::atomic<bool>* cancel = nullptr;    // checked between stages
};

struct ExportResult {
  std::filesystem::path out;       // absolute
  std::vector<std::string> files;  // names inside `out`, sorted
  std::string source;              // the weights exported: a model folder or a checkpoint
  std::string task;                // "lm" | "cls"
  ExportVerification verification;
  std::vector<std::string> notes;  // e.g. tensors kept in F16 in a Q8_0 file
};

// Throws std::invalid_argument for a request that cannot be met (peft/merged without LoRA, peft without
// a base model folder, GGUF of a classifier, q8_0 other than GGUF), ExportVerificationError when the reloaded export disagrees with the
// model, ExportCancelled on cancel, std::runtime_error naming the path for I/O and load errors.
ExportResult exportModel(const std::filesystem::path& source, const ExportOptions& options);

class ExportCancelled : public std::runtime_error {
 public:
  ExportCancelled() : std::runtime_error("export cancelled: nothing was written under the final name") {}
};

// The accepted max |reloaded - in memory| relative to max(1, largest |logit|): f32 only rounding of
// float32 metadata, f16/bf16/q8_0 their precision. A wrong tensor or layout moves logits by their
// own size, far above these.
double exportRelativeTolerance(ExportFormat format, ExportDtype dtype);

}  // namespace fts
