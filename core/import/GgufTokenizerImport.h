#pragma once
// The tokenizer files of a Hugging Face folder, rebuilt from a GGUF file's tokenizer.ggml.* metadata.
// Torch-free.
//
// - tokenizer.ggml.model "gpt2" (byte-level BPE: GPT-2, Llama 3, Qwen2, SmolLM): tokenizer.json with a
//   BPE model (vocabulary and merges), the split regex of tokenizer.ggml.pre before the byte-level
//   pre-tokenizer, the byte-level decoder, the control and user-defined tokens as added tokens, and a
//   post-processor that adds BOS when tokenizer.ggml.add_bos_token says so.
// - tokenizer.ggml.model "llama" (SentencePiece pieces with scores and types): tokenizer.model.
// Both get tokenizer_config.json (special tokens, add_bos_token, the chat template of
// tokenizer.chat_template) and special_tokens_map.json.
#include "core/export/GgufReader.h"

#include <string>
#include <utility>
#include <vector>

namespace fts {

struct GgufTokenizerFiles {
  std::string kind;  // "bpe" or "sentencepiece" (tokenizerKindName's words)
  std::string pre;   // tokenizer.ggml.pre for BPE ("smollm", "llama-bpe", ...)
  std::vector<std::pair<std::string, std::string>> files;  // file name -> contents
  std::vector<std::string> notes;                          // what the conversion had to assume
};

// The split regexes HF's tokenizers apply, in order, for llama.cpp's pre-tokenizer name `pre`
// (an empty name is llama.cpp's "default", GPT-2's). Throws std::invalid_argument naming `pre` when
// it is not one we know.
std::vector<std::string> bpeSplitRegexes(const std::string& pre);

// Throws std::runtime_error naming the file and the key when the metadata is incomplete or the
// tokenizer model is neither "gpt2" nor "llama".
GgufTokenizerFiles tokenizerFilesFromGguf(const GgufReader& reader, int contextLength);

}  // namespace fts
