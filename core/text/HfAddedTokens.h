#pragma once
// The added tokens of a tokenizer.json ([CLS], <|im_start|>, ...): found in the text before the
// normalizer and pre-tokenizer run, so a special token is one id however the model would split its
// characters. Leftmost match first, the longest at that place; lstrip/rstrip take the whitespace
// beside a match with it, single_word matches only outside words.
#include <string>
#include <string_view>
#include <vector>

namespace fts {

struct HfAddedToken {
  int id = -1;
  std::string content;
  bool special = false;
  bool lstrip = false;
  bool rstrip = false;
  bool singleWord = false;
  bool normalized = false;  // matched in the normalized text instead of the raw text
};

// A piece of the text: an added token (id >= 0) or plain text for the model.
struct HfTextSegment {
  std::string_view text;
  int addedId = -1;
};

class HfAddedTokenMatcher {
 public:
  void add(const HfAddedToken& token);
  bool empty() const { return tokens_.empty(); }
  // `text` cut into plain stretches and added tokens, in order; empty stretches are left out.
  std::vector<HfTextSegment> split(std::string_view text) const;

 private:
  std::vector<HfAddedToken> tokens_;
  // Per first byte, the tokens starting with it, longest first.
  std::vector<std::vector<int>> byFirstByte_ = std::vector<std::vector<int>>(256);
};

}  // namespace fts
