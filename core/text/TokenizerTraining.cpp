#include "core/text/TokenizerTraining.h"

#include <chrono>
#include <stdexcept>

namespace fts {
namespace {

// A cut at most maxBytes into s: after the last space before it if there is one, else at a UTF-8
// character boundary.
std::size_t cutPoint(std::string_view s, std::size_t maxBytes) {
  if (s.size() <= maxBytes) return s.size();
  const auto space = s.substr(0, maxBytes).find_last_of(" \t");
  if (space != std::string_view::npos && space > maxBytes / 2) return space + 1;
  std::size_t cut = maxBytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return cut > 0 ? cut : maxBytes;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\f\v") == std::string_view::npos; }

}  // namespace

std::vector<std::string> tokenizerSentences(const std::vector<std::string>& texts, std::size_t maxBytes) {
  if (maxBytes < 8) maxBytes = 8;
  std::vector<std::string> out;
  for (const auto& text : texts) {
    std::string_view rest(text);
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      while (!line.empty()) {
        const std::size_t cut = cutPoint(line, maxBytes);
        const std::string_view piece = line.substr(0, cut);
        if (!blank(piece)) out.emplace_back(piece);
        line.remove_prefix(cut);
      }
    }
  }
  return out;
}

TokenizerTrainReport trainTokenizerIntoFolder(const std::vector<std::string>& texts, const TokenizerTrainOptions& options,
                                              const std::filesystem::path& outDir) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> sentences =
      tokenizerSentences(texts, static_cast<std::size_t>(std::max(options.maxSentenceLength, 8)));
  if (sentences.empty()) throw std::invalid_argument("no text to train a tokenizer on");
  std::error_code ec;
  std::filesystem::create_directories(outDir, ec);
  if (ec) throw std::runtime_error(outDir.string() + ": cannot create the folder: " + ec.message());
  TokenizerTrainReport report;
  report.modelFile = outDir / "tokenizer.model";
  SentencePieceTokenizer tok = SentencePieceTokenizer::train(sentences, options, report.modelFile);
  report.vocabSize = tok.vocabSize();
  report.sentences = sentences.size();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace fts
