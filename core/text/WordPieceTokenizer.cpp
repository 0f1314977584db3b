#include "core/text/WordPieceTokenizer.h"

#include "core/text/Utf8.h"

namespace fts {
namespace {

void replaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

// tokenizers' decoders::wordpiece::cleanup: the spaces that joining pieces put before punctuation
// and inside English contractions.
void cleanupSpaces(std::string& s) {
  replaceAll(s, " .", ".");
  replaceAll(s, " ?", "?");
  replaceAll(s, " !", "!");
  replaceAll(s, " ,", ",");
  replaceAll(s, " ' ", "'");
  replaceAll(s, " n't", "n't");
  replaceAll(s, " 'm", "'m");
  replaceAll(s, " do not", " don't");
  replaceAll(s, " 's", "'s");
  replaceAll(s, " 've", "'ve");
  replaceAll(s, " 're", "'re");
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(HfTokenizerParts parts, WordPieceOptions options)
    : HfTokenizer(std::move(parts)), options_(std::move(options)) {}

void WordPieceTokenizer::encodeWord(std::string_view word, std::vector<int>& out) const {
  if (word.empty()) return;
  if (utf8::countCodePoints(word) > static_cast<std::size_t>(options_.maxInputCharsPerWord)) {
    if (options_.unkId >= 0) out.push_back(options_.unkId);
    return;
  }
  const std::size_t first = out.size();
  // Continuation pieces are looked up as prefix + substring; one buffer per thread avoids an
  // allocation per probe.
  thread_local std::string probe;
  std::size_t start = 0;
  while (start < word.size()) {
    std::size_t end = word.size();
    int found = -1;
    while (end > start) {
      std::string_view candidate = word.substr(start, end - start);
      if (start > 0) {
        probe.assign(options_.continuingSubwordPrefix);
        probe.append(candidate);
        candidate = probe;
      }
      const auto it = vocab().find(candidate);
      if (it != vocab().end()) {
        found = it->second;
        break;
      }
      // One code point shorter.
      do --end;
      while (end > start && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80);
    }
    if (found < 0) {
      out.resize(first);  // no full cover: the whole word is unknown
      if (options_.unkId >= 0) out.push_back(options_.unkId);
      return;
    }
    out.push_back(found);
    start = end;
  }
}

std::string WordPieceTokenizer::decode(const std::vector<int>& ids) const {
  std::string text;
  bool firstPiece = true;
  for (const int id : ids) {
    if (isSpecial(id)) continue;
    std::string p = piece(id);
    if (p.empty()) continue;
    const std::string_view prefix = options_.decoderPrefix;
    if (!firstPiece) {
      if (!prefix.empty() && p.compare(0, prefix.size(), prefix) == 0) p.erase(0, prefix.size());
      else p.insert(0, 1, ' ');
    }
    // Per piece, as the tokenizers crate cleans up (a space is only ever at a piece's start).
    if (options_.cleanup) cleanupSpaces(p);
    text += p;
    firstPiece = false;
  }
  return text;
}

}  // namespace fts
