#pragma once
// WordPiece as BERT uses it (tokenizer.json model.type "WordPiece"): greedy longest-match-first over
// each pre-tokenized word, pieces after the first carrying the continuing-subword prefix ("##"), a
// word with no full cover (or longer than max_input_chars_per_word characters) one [UNK].
// Decoding is tokenizers' WordPiece decoder: pieces joined by spaces, "##" pieces glued on, and the
// "cleanup" of spaces before punctuation and contractions.
#include "core/text/HfTokenizer.h"

namespace fts {

struct WordPieceOptions {
  std::string continuingSubwordPrefix = "##";
  int maxInputCharsPerWord = 100;
  // The decoder's (they are two components in tokenizer.json; normally the same prefix).
  std::string decoderPrefix = "##";
  bool cleanup = true;
  // model.unk_token's id: what a word with no cover becomes (tokenizer_config.json's unk_token is
  // only what unkId() reports).
  int unkId = -1;
};

class WordPieceTokenizer : public HfTokenizer {
 public:
  WordPieceTokenizer(HfTokenizerParts parts, WordPieceOptions options);

  TokenizerKind kind() const override { return TokenizerKind::WordPiece; }
  std::string decode(const std::vector<int>& ids) const override;

 protected:
  void encodeWord(std::string_view word, std::vector<int>& out) const override;

 private:
  WordPieceOptions options_;
};

}  // namespace fts
