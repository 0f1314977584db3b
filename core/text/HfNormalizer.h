#pragma once
// The normalizers of Hugging Face tokenizer.json files that WordPiece and byte-level BPE models use:
// BertNormalizer, NFC/NFD/NFKC/NFKD, Lowercase, StripAccents, and a Sequence of them. ICU supplies the
// Unicode normalization forms and character properties.
#include <string>
#include <string_view>
#include <vector>

namespace fts {

struct HfNormalizerStep {
  enum class Kind { Bert, Nfc, Nfd, Nfkc, Nfkd, Lowercase, StripAccents };
  Kind kind = Kind::Nfc;
  // BertNormalizer's switches (strip_accents null means "as lowercase", resolved by the loader).
  bool cleanText = true;
  bool handleChineseChars = true;
  bool stripAccents = true;
  bool lowercase = true;
};

class HfNormalizer {
 public:
  void add(const HfNormalizerStep& step) { steps_.push_back(step); }
  bool empty() const { return steps_.empty(); }
  // The text after every step, in order. Input must be valid UTF-8.
  std::string apply(std::string_view text) const;

 private:
  std::vector<HfNormalizerStep> steps_;
};

// BERT's "Chinese character" blocks (CJK Unified Ideographs and their extensions, compatibility
// ideographs): each becomes its own word. Kana and Hangul are not in them, as in BERT.
bool isBertChineseChar(char32_t cp);
// BERT's punctuation: ASCII symbols 33-47, 58-64, 91-96, 123-126, and every Unicode P* character.
bool isBertPunctuation(char32_t cp);
// Rust's char::is_whitespace (the Unicode White_Space property), which BERT's code relies on.
bool isUnicodeWhitespace(char32_t cp);

}  // namespace fts
