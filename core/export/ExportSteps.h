#pragma once
// The steps every exporter (decoders: Exporter.cpp, encoders: EncoderExport.cpp) takes the same way:
// progress and cancel between stages, the dtype of safetensors weights, the reloaded tokenizer's
// check, and the verification as the manifest and the failure message give it. Torch-free header.
#include "core/export/ExportVerification.h"
#include "core/export/Exporter.h"
#include "core/io/SafetensorsTypes.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fts {

class Tokenizer;

// Throws ExportCancelled when the user cancelled; else reports the stage ("loading", "writing", ...).
void exportStage(const ExportOptions& options, const char* name);
// F32, F16 or BF16 (q8_0 is GGUF's only).
SafetensorsDtype safetensorsDtypeOf(ExportDtype dtype);
// The file's text, or "" when it does not exist (a run's optional files for the model card).
std::string readIfExists(const std::filesystem::path& file);

// The tokenizer written into `folder`, reloaded, must encode every sample text as `original` does
// (and a SentencePiece model must read back byte for byte). Returns what was checked, for the
// manifest; throws std::runtime_error naming the file when it differs.
std::string checkReloadedTokenizer(const std::filesystem::path& folder, int64_t vocabSize, const Tokenizer* original,
                                   const std::vector<std::string>& texts);

nlohmann::ordered_json verificationJson(const ExportVerification& v);
// "max abs logit difference ... (accepted ..., largest logit ...), argmax agreement ...% over N rows"
std::string verificationFigures(const ExportVerification& v);

}  // namespace fts
