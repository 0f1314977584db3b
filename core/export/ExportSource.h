#pragma once
// What an export starts from, found without loading any weights: a run folder (finished or not,
// trained with LoRA or not) or a Hugging Face model folder. The GUI reads it to offer only the formats
// that apply; the exporter refuses the others with the same words, so both say the same thing.
// Torch-free.
#include "core/export/Exporter.h"

#include <filesystem>
#include <string>
#include <vector>

namespace fts {

class RunStore;
struct RunRecord;

struct ExportSourceInfo {
  std::filesystem::path folder;
  std::string name;                      // how messages name it: the run's folder name (its id) or the model folder
  bool isRun = false;                    // a run folder (train_config.json)
  bool finished = false;                 // run: its model/ folder (the hand-over model) exists
  bool hasWeights = false;               // a model/ folder, a checkpoint, or the folder's own weights
  std::string task;                      // "lm" | "cls"; empty when config.json cannot be read
  std::string modelType;                 // config.json's model_type ("llama", "bert", ...)
  // LoRA (runs only): the adapter the run trained on a frozen base.
  bool lora = false;
  int loraRank = 0;
  double loraAlpha = 0, loraDropout = 0;
  std::vector<std::string> loraTargets;  // HF module names: "q_proj", "v_proj", ...
  std::string baseModel;                 // run: model.base (a Hugging Face folder); empty: trained from scratch
  std::string method;                    // for the model card, e.g. "LoRA (rank 8, alpha 16, ...)", "full fine-tuning"
  std::string dataFingerprint;           // from the run's split.json, when it has one
};

// Throws std::runtime_error naming the folder when it is neither a run folder nor a model folder.
ExportSourceInfo inspectExportSource(const std::filesystem::path& folder);

// Empty when `format` can be exported from `source`; otherwise why not, naming the source, and what
// to do instead (the same sentence the exporter throws).
std::string exportFormatUnavailable(const ExportSourceInfo& source, ExportFormat format);
// Empty when `dtype` can be written in `format` (q8_0 is GGUF's block format only); otherwise why not.
std::string exportDtypeUnavailable(ExportFormat format, ExportDtype dtype);

// The model card facts the run store holds about `run` (name, task, base model, data fingerprint,
// final metrics); the exporter fills the rest from the run folder.
ModelCardInfo modelCardInfoFromStore(const RunStore& store, const RunRecord& run);

}  // namespace fts
