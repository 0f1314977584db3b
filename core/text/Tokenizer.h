#pragma once
// The one tokenizer interface of the studio. SentencePiece (tokenizer.model), WordPiece and byte-level
// BPE (Hugging Face tokenizer.json) implement it, so data profiles, training, generation and export
// never ask which kind a model has. Torch-free.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fts {

enum class TokenizerKind { SentencePiece, WordPiece, ByteLevelBpe };

// "sentencepiece", "wordpiece", "bpe" (the names `ftstudio models` and the GUI show).
std::string tokenizerKindName(TokenizerKind kind);

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual TokenizerKind kind() const = 0;

  // The text's tokens, without the special tokens a model's post-processor adds around a sequence
  // (BOS/EOS, [CLS]/[SEP]): callers frame sequences themselves (SampleEncoding's frameTokens).
  virtual std::vector<int> encode(std::string_view text) const = 0;
  // encode() of many texts on `threads` threads (0: all cores); result i belongs to texts[i].
  // The default runs encode() on a pool of std::threads; implementations must be safe to call
  // concurrently from several threads.
  virtual std::vector<std::vector<int>> encodeMany(const std::vector<std::string_view>& texts, int threads = 0) const;
  // The post-processor's framing as Hugging Face's encode(text) applies it by default: [CLS] A [SEP]
  // for BERT, BOS for Llama 2/3 tokenizers, nothing for SmolLM2/Qwen2; BOS for our SentencePiece.
  virtual std::vector<int> addSpecialTokens(const std::vector<int>& ids) const = 0;
  // The text back; special tokens (BOS, EOS, PAD, [CLS], [SEP], ...) are left out.
  virtual std::string decode(const std::vector<int>& ids) const = 0;

  virtual int vocabSize() const = 0;
  // The token's own string as the vocabulary stores it (SentencePiece's "▁the", WordPiece's "##ing",
  // byte-level BPE's "Ġthe"); empty for an id out of range.
  virtual std::string piece(int id) const = 0;
  virtual int pieceId(std::string_view piece) const = 0;  // -1 when the vocabulary lacks it

  // Special ids, -1 when the tokenizer has none. bosId/eosId are what frames a sequence for the
  // model: BOS/EOS for decoders, [CLS]/[SEP] for BERT-style encoders.
  virtual int unkId() const = 0;
  virtual int bosId() const = 0;
  virtual int eosId() const = 0;
  virtual int padId() const = 0;
  virtual int maskId() const { return -1; }  // [MASK] of masked-LM tokenizers
  virtual bool isSpecial(int id) const { return id == bosId() || id == eosId() || id == padId(); }

  // The files that make up this tokenizer, written into `folder` atomically (tokenizer.model, or
  // tokenizer.json with tokenizer_config.json when the source had one). Returns the names written.
  virtual std::vector<std::string> saveFiles(const std::filesystem::path& folder) const = 0;

  // The chat template from tokenizer_config.json, empty when there is none.
  virtual std::string chatTemplate() const { return {}; }
};

// The tokenizer of a model folder: tokenizer.model (SentencePiece) when present, else tokenizer.json
// (WordPiece or byte-level BPE). Throws std::runtime_error naming the folder and what it holds when it
// has neither, or the file and what is unsupported in it.
std::unique_ptr<Tokenizer> loadTokenizer(const std::filesystem::path& folderOrFile);

// Which tokenizer file a folder holds ("tokenizer.model", "tokenizer.json"), without loading it;
// empty when none.
std::filesystem::path findTokenizerFile(const std::filesystem::path& folder);

}  // namespace fts
