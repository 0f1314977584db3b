#pragma once
// Hugging Face tokenizer.json files: WordPiece (BERT and its family) and byte-level BPE (GPT-2,
// Llama 3, Qwen2, SmolLM2), with tokenizer_config.json and special_tokens_map.json when they are
// beside the file (special tokens, add_bos_token, chat_template).
#include "core/text/Tokenizer.h"

#include <filesystem>
#include <memory>

namespace fts {

// Throws std::runtime_error naming the file and what is wrong: the byte offset of malformed JSON, or
// the component the studio does not implement (a Unigram or WordLevel model, SentencePiece-style BPE,
// an unknown normalizer, pre-tokenizer, post-processor or decoder).
std::unique_ptr<Tokenizer> loadHfTokenizerJson(const std::filesystem::path& tokenizerJson);

}  // namespace fts
