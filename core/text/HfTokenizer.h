#pragma once
// What the Hugging Face tokenizer.json tokenizers (WordPiece, byte-level BPE) share: the vocabulary,
// added tokens, normalizer, pre-tokenizer, the post-processor's templates, the special ids from
// tokenizer_config.json, and the source files for saveFiles(). A subclass supplies the model (one
// pre-tokenized word -> ids) and the decoder. HfTokenizerJson.h builds them.
#include "core/text/HfAddedTokens.h"
#include "core/text/HfNormalizer.h"
#include "core/text/HfPreTokenizer.h"
#include "core/text/Tokenizer.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fts {

// Transparent hashing, so vocabularies are searched with string_views (no string built per lookup).
struct StringViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using PieceIdMap = std::unordered_map<std::string, int, StringViewHash, std::equal_to<>>;

// One element of a TemplateProcessing template: a special token's ids, or sequence A or B.
struct HfTemplateItem {
  int sequence = -1;        // 0 = $A, 1 = $B; -1 = special token
  std::vector<int> ids;     // the special token's ids
  int typeId = 0;
};

// Ids with the token type id of each (0 for the first sequence, 1 for the second of a BERT pair).
struct HfEncoding {
  std::vector<int> ids;
  std::vector<int> typeIds;
};

// Everything the loader reads from tokenizer.json and the files beside it.
struct HfTokenizerParts {
  std::filesystem::path sourceFile;                 // the tokenizer.json it came from
  PieceIdMap vocab;                                 // the model's vocabulary
  std::vector<HfAddedToken> addedTokens;
  HfNormalizer normalizer;
  HfPreTokenizer preTokenizer;
  bool hasTemplate = false;                         // a post-processor that adds tokens
  std::vector<HfTemplateItem> singleTemplate, pairTemplate;
  bool addBos = false, addEos = false;              // tokenizer_config.json's, when no template frames
  int unkId = -1, bosId = -1, eosId = -1, padId = -1, maskId = -1;
  std::string chatTemplate;
  // name -> bytes of tokenizer.json and, when they were beside it, tokenizer_config.json and
  // special_tokens_map.json: saveFiles() writes them back unchanged.
  std::vector<std::pair<std::string, std::string>> files;
};

class HfTokenizer : public Tokenizer {
 public:
  explicit HfTokenizer(HfTokenizerParts parts);

  std::vector<int> encode(std::string_view text) const override;
  std::vector<int> addSpecialTokens(const std::vector<int>& ids) const override;

  // encode() with the post-processor's framing and the token type ids ([CLS] A [SEP] for BERT).
  HfEncoding encodeWithSpecialTokens(std::string_view text) const;
  // A pair as the post-processor frames it: [CLS] A [SEP] B [SEP] with type ids 0...0 1...1 for BERT.
  // Not in the Tokenizer interface (only encoders take pairs); callers reach it by dynamic_cast.
  HfEncoding encodePair(std::string_view a, std::string_view b) const;
  HfEncoding frame(const std::vector<int>& a, const std::vector<int>* b) const;

  int vocabSize() const override { return static_cast<int>(idToPiece_.size()); }
  std::string piece(int id) const override;
  int pieceId(std::string_view piece) const override;
  int unkId() const override { return parts_.unkId; }
  int bosId() const override { return parts_.bosId; }
  int eosId() const override { return parts_.eosId; }
  int padId() const override { return parts_.padId; }
  int maskId() const override { return parts_.maskId; }
  // Every added token marked special, and BOS/EOS/PAD.
  bool isSpecial(int id) const override;
  std::vector<std::string> saveFiles(const std::filesystem::path& folder) const override;
  std::string chatTemplate() const override { return parts_.chatTemplate; }
  const std::filesystem::path& sourceFile() const { return parts_.sourceFile; }

 protected:
  // The ids of one pre-tokenized word (byte-level characters for BPE), appended to `out`.
  virtual void encodeWord(std::string_view word, std::vector<int>& out) const = 0;
  const PieceIdMap& vocab() const { return parts_.vocab; }

 private:
  void encodeNormalized(std::string_view normalized, std::vector<int>& out) const;

  HfTokenizerParts parts_;
  HfAddedTokenMatcher rawAdded_, normalizedAdded_;
  std::vector<std::string> idToPiece_;
  std::vector<char> isSpecial_;
};

}  // namespace fts
