#pragma once
// A SentencePiece tokenizer (tokenizer.model), trained by us or loaded from a model folder.
#include "core/text/Tokenizer.h"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct ftspm_processor;

namespace fts {

struct TokenizerTrainOptions {
  int vocabSize = 8000;
  std::string modelType = "unigram";   // "unigram" or "bpe"
  double characterCoverage = 0.9995;   // below 1 so rare CJK characters fall back to bytes
  bool byteFallback = true;            // unknown characters become byte pieces, never <unk>
  std::vector<std::string> userSymbols;
  // When the text is too small for vocabSize, shrink the vocabulary instead of failing.
  bool hardVocabLimit = false;
  int maxSentenceLength = 16384;       // bytes; longer sentences are skipped by SentencePiece
  int threads = 0;                     // 0: all cores
};

class SentencePieceTokenizer final : public Tokenizer {
 public:
  // Special ids of the tokenizers we train (Llama's convention, plus a pad piece).
  static constexpr int kUnk = 0, kBos = 1, kEos = 2, kPad = 3;

  static SentencePieceTokenizer load(const std::filesystem::path& modelFile);
  // tokenizer.model from a model folder (a Hugging Face Llama-style folder, or one we wrote).
  // Throws std::runtime_error saying what the folder holds when it has no tokenizer.model.
  static SentencePieceTokenizer fromModelFolder(const std::filesystem::path& folder);
  // A tokenizer.model file, or a folder holding one.
  static SentencePieceTokenizer loadFileOrFolder(const std::filesystem::path& path);
  static SentencePieceTokenizer fromBytes(std::string_view serialized);

  // Trains on in-memory sentences and writes tokenizer.model to modelFile (atomically).
  static SentencePieceTokenizer train(const std::vector<std::string>& sentences,
                                      const TokenizerTrainOptions& options,
                                      const std::filesystem::path& modelFile);
  static SentencePieceTokenizer trainFromFiles(const std::vector<std::filesystem::path>& inputs,
                                               const TokenizerTrainOptions& options,
                                               const std::filesystem::path& modelFile);

  SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept;
  SentencePieceTokenizer& operator=(SentencePieceTokenizer&&) noexcept;
  ~SentencePieceTokenizer() override;

  TokenizerKind kind() const override { return TokenizerKind::SentencePiece; }
  std::vector<int> encode(std::string_view text) const override;
  // Encodes many texts on `threads` threads (0: all cores); result i belongs to texts[i] and is the
  // same as encode(texts[i]). SentencePiece's encoder is safe to call from several threads.
  std::vector<std::vector<int>> encodeMany(const std::vector<std::string_view>& texts, int threads = 0) const override;
  // BOS before the text, as Llama's SentencePiece tokenizers add it (when the model has a BOS).
  std::vector<int> addSpecialTokens(const std::vector<int>& ids) const override;
  std::string decode(const std::vector<int>& ids) const override;

  int vocabSize() const override;
  std::string piece(int id) const override;
  int pieceId(std::string_view piece) const override;  // -1 when the vocabulary lacks the piece
  float score(int id) const;
  int tokenType(int id) const;  // see ftspm_token_type
  int unkId() const override;
  int bosId() const override;
  int eosId() const override;
  int padId() const override;   // -1 when the model has none
  // tokenizer.model, atomically.
  std::vector<std::string> saveFiles(const std::filesystem::path& folder) const override;
  std::string serialized() const;

 private:
  explicit SentencePieceTokenizer(ftspm_processor* p) : processor_(p) {}
  ftspm_processor* processor_ = nullptr;
};

}  // namespace fts
