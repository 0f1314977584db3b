#pragma once
// The exporter's path for BERT encoders (config.json model_type "bert"): a run's classifier
// (BertForSequenceClassification) or masked LM (BertForMaskedLM), finished or not, with or without
// LoRA (a LoRA checkpoint's adapters are folded into the weights), written as a Hugging Face folder
// that transformers loads: config.json, model.safetensors (f32, f16 or bf16), the tokenizer's files
// (tokenizer.json, tokenizer_config.json), README.md and ftstudio_export.json. Staged, reloaded into a
// fresh model and compared on the sample texts, then swapped in whole, as every export is.
// exportModel (core/export/Exporter.h) routes here; callers use exportModel. Torch-free header.
#include "core/export/ExportSource.h"
#include "core/export/Exporter.h"

#include <filesystem>

namespace fts {

// `info` is inspectExportSource(source), already checked with exportFormatUnavailable. Throws as
// exportModel does.
ExportResult exportEncoder(const std::filesystem::path& source, const ExportSourceInfo& info, const ExportOptions& options);

}  // namespace fts
