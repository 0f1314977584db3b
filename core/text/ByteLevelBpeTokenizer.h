#pragma once
// Byte-level BPE as GPT-2, Llama 3, Qwen2 and SmolLM2 use it (tokenizer.json model.type "BPE" with a
// ByteLevel pre-tokenizer): each pre-tokenized word is a string of byte-level characters; starting
// from one symbol per character, the adjacent pair with the best (lowest) merge rank is merged until
// no pair has a merge. Words seen before come from a cache. Decoding maps the characters back to
// bytes (tokenizers' ByteLevel decoder).
#include "core/text/HfTokenizer.h"

#include <cstdint>
#include <mutex>
#include <shared_mutex>

namespace fts {

struct BpeMerge {
  std::string left, right;
};

struct BpeOptions {
  // Llama 3's "ignore_merges": a word that is itself in the vocabulary is that one token.
  bool ignoreMerges = false;
  bool fuseUnk = false;
  // model.unk_token's id (null in byte-level models: a character outside the vocabulary is dropped,
  // as the tokenizers crate drops it), never tokenizer_config.json's unk_token.
  int unkId = -1;
  std::size_t cacheCapacity = 1u << 16;  // words; the cache is emptied when it fills
};

class ByteLevelBpeTokenizer : public HfTokenizer {
 public:
  // Throws std::runtime_error when a merge names a piece the vocabulary lacks (the loader adds the file).
  ByteLevelBpeTokenizer(HfTokenizerParts parts, const std::vector<BpeMerge>& merges, BpeOptions options);

  TokenizerKind kind() const override { return TokenizerKind::ByteLevelBpe; }
  std::string decode(const std::vector<int>& ids) const override;

 protected:
  void encodeWord(std::string_view word, std::vector<int>& out) const override;

 private:
  struct MergeResult {
    int rank;
    int id;
  };
  static std::uint64_t pairKey(int a, int b) { return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b); }
  std::vector<int> mergeWord(std::string_view word) const;

  std::unordered_map<std::uint64_t, MergeResult> merges_;
  BpeOptions options_;
  mutable std::shared_mutex cacheMutex_;
  mutable std::unordered_map<std::string, std::vector<int>, StringViewHash, std::equal_to<>> cache_;
};

}  // namespace fts
