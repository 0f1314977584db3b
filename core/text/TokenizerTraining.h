#pragma once
// Training a tokenizer from the texts of a dataset (or any text): the texts become SentencePiece
// "sentences" (lines; a line longer than SentencePiece accepts is cut at white space, never inside
// a UTF-8 character), and the model is written as FOLDER/tokenizer.model, the name model folders use.
#include "core/text/SentencePieceTokenizer.h"

#include <filesystem>
#include <string>
#include <vector>

namespace fts {

// Lines of the texts, blank ones dropped, each at most maxBytes long.
std::vector<std::string> tokenizerSentences(const std::vector<std::string>& texts, std::size_t maxBytes);

struct TokenizerTrainReport {
  std::filesystem::path modelFile;
  int vocabSize = 0;          // as trained (may exceed the request when the text needs more pieces)
  std::size_t sentences = 0;  // lines trained on
  double seconds = 0;
};

// Trains on the texts and writes outDir/tokenizer.model (creating outDir). Throws
// std::invalid_argument for no text, std::runtime_error when SentencePiece fails.
TokenizerTrainReport trainTokenizerIntoFolder(const std::vector<std::string>& texts, const TokenizerTrainOptions& options,
                                              const std::filesystem::path& outDir);

}  // namespace fts
