#pragma once
// Texts become token sequences the same way wherever a model sees them (training, evaluation,
// `ftstudio eval`): BOS, the text's tokens cut to fit max_len by the chosen truncation, EOS.
// Prompt/response pairs keep both sides (the prompt's head, then the response's head) and remember
// where the response starts, so the causal-LM loss counts only what the model should produce.
// Packing (pretraining) joins whole documents into one stream cut into blocks of max_len tokens.
// Torch-free: plain vectors, so the GUI's profile and tests can use it too.
#include "core/data/Dataset.h"
#include "core/data/Truncation.h"
#include "core/text/ChatFormat.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fts {

class Tokenizer;

struct EncodingOptions {
  int maxLen = 128;                         // tokens per sequence, BOS and EOS included (>= 3)
  data::Truncation truncation = data::Truncation::KeepHead;
  int bos = 1, eos = 2;
  // Prompt/response pairs as the user and assistant turns of this chat format (ChatML: no BOS, the
  // reply closed by <|im_end|> in place of EOS); None: BOS prompt response EOS.
  ChatFormat chat = ChatFormat::None;
  int threads = 0;                          // tokenizer threads; 0: all cores
};

// Framed sequences with what training needs beside them. For sequence i:
//   ids[i]          BOS t1 .. tn EOS (or a packed block)
//   predictFrom[i]  the first position whose token is a training target of the causal LM: position t
//                   predicts ids[t+1] when t+1 >= predictFrom (1: every token after BOS; 1 + prompt
//                   tokens for a prompt/response pair; 1 for a packed block)
//   labels[i]       class id (classification) or -1
//   source[i]       the dataset row it came from (packed blocks: the row where the block starts)
struct EncodedSet {
  std::vector<std::vector<int>> ids;
  std::vector<std::int32_t> predictFrom;
  std::vector<std::int64_t> labels;
  std::vector<std::size_t> source;
  std::int64_t tokens = 0;      // all ids
  std::int64_t truncated = 0;   // samples that lost tokens to max_len
  std::size_t size() const { return ids.size(); }
};

// One sequence per row of `rows`. labelIds maps a sample's label to its class id (empty: language
// modelling, labels -1). Throws std::invalid_argument when maxLen < 3.
EncodedSet encodeSamples(const data::Dataset& ds, const std::vector<std::size_t>& rows, const Tokenizer& tok,
                         const std::map<std::string, int>& labelIds, const EncodingOptions& options);

// Causal-LM pretraining layout: BOS text EOS of every row, back to back, cut into blocks of maxLen
// tokens (the last one may be shorter; a last block under 2 tokens is dropped: nothing to predict).
// Prompt/response rows are joined as prompt then response.
EncodedSet packSamples(const data::Dataset& ds, const std::vector<std::size_t>& rows, const Tokenizer& tok,
                       const EncodingOptions& options);

// Frames one encoded text (no tokenizer call): BOS, body cut to maxLen-2, EOS when addEos.
std::vector<int> frameTokens(const std::vector<int>& body, const EncodingOptions& options, bool addEos, bool* truncated = nullptr);

}  // namespace fts
