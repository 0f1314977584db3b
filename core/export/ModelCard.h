#pragma once
// README.md for an export: a Hugging Face style model card (YAML front matter, then Markdown) saying
// what the model is, what it was trained from and how, how well it did, and that the export was
// verified. Torch-free.
#include "core/export/ExportVerification.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fts {

// What the run knows; the caller fills what it has (an HF folder exported directly has none of it).
struct ModelCardInfo {
  std::string title;               // heading; empty: derived from the run name or the folder
  std::string runId, runName;
  std::string task;                // "cls" | "lm" | "mlm"
  std::string method;              // e.g. "full", "frozen", "lora"
  std::string baseModel;           // folder or name of the base model; empty: trained from scratch
  std::string datasetFingerprint;
  std::string trainConfigJson;     // the run's train_config.json
  std::map<std::string, double> metrics;
  std::string robustnessJson;      // a robustness report (accuracy under attack, ...), when the run has one
  std::string toolVersion;         // e.g. "ftstudio 0.1.0"
};

// What the export itself is; filled by the exporter.
struct ModelCardExport {
  std::string format;              // "hf", "merged", "peft", "gguf"
  std::string dtype;               // "f32", "f16", "bf16", "q8_0"
  std::string architecture;        // "LlamaForCausalLM", ...
  std::string modelConfigJson;     // config.json text
  int64_t parameters = 0;
  std::vector<std::string> labels; // classifier labels in id order
  std::vector<std::string> files;  // names inside the export folder
  std::string exportedAt;          // ISO 8601, UTC
  ExportVerification verification;
  std::vector<std::string> notes;
  // peft and merged: the LoRA the run trained ("LoRA (rank 8, alpha 16, ...)"); peft also names the base
  // folder the adapter applies to and the pad id a classifier's pooling needs when the base is loaded.
  std::string lora;
  std::string adapterBase;
  int padTokenId = -1;
};

std::string renderModelCard(const ModelCardInfo& run, const ModelCardExport& exported);

}  // namespace fts
