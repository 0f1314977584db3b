#pragma once
// The Hugging Face model folder as transformers expects it from a trained model: saveHfModelFolder's
// config.json, weights and tokenizer.model, plus the files its Auto classes read beside them.
// Torch-free header.
#include "core/io/HfModelFolder.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace fts {

class SentencePieceTokenizer;  // core/text/SentencePieceTokenizer.h
class Tokenizer;               // core/text/Tokenizer.h

// The SentencePiece model type stored in a serialized tokenizer.model: 1 unigram, 2 BPE, 3 word,
// 4 char (SentencePiece's TrainerSpec numbers; 1 when the field is absent or the bytes are not a model).
int sentencePieceModelType(std::string_view serialized);

// generation_config.json (causal LM only): special ids, so generate() stops at our EOS.
std::string hfGenerationConfigJson(const LlamaConfig& config);
// tokenizer_config.json: LlamaTokenizer (SentencePiece) with the special pieces (SentencePiece only: a
// tokenizer.json brings its own tokenizer_config.json). A classifier pools the
// last token, which training made the EOS: its tokenizer appends EOS so transformers sees the same ids.
std::string hfTokenizerConfigJson(const LlamaConfig& config, const SentencePieceTokenizer& tokenizer, bool classifier);
// The SentencePiece configuration files (tokenizer_config.json, special_tokens_map.json) into `folder`,
// when `tokenizer` is a SentencePiece one; nothing for a tokenizer.json, whose files saveFiles copies.
void writeSentencePieceConfigs(const std::filesystem::path& folder, const LlamaConfig& config, const Tokenizer* tokenizer,
                               bool classifier);
// special_tokens_map.json: bos, eos, unk and pad pieces.
std::string hfSpecialTokensMapJson(const LlamaConfig& config, const SentencePieceTokenizer& tokenizer);

// Writes the whole folder (through saveHfModelFolder, so weights and tokenizer.model are atomic files
// and `folder` is swapped in whole), then the tokenizer and generation files. Returns the file names
// written, sorted. Call it on a staging folder: the exporter swaps the finished folder into place.
std::vector<std::string> writeHfExportFolder(const std::filesystem::path& folder, const LlamaForTask& model,
                                             const Tokenizer* tokenizer, const HfSaveOptions& options);

}  // namespace fts
