#include "core/text/ByteLevelBpeTokenizer.h"

#include "core/text/Utf8.h"

#include <limits>
#include <stdexcept>

namespace fts {

ByteLevelBpeTokenizer::ByteLevelBpeTokenizer(HfTokenizerParts parts, const std::vector<BpeMerge>& merges, BpeOptions options)
    : HfTokenizer(std::move(parts)), options_(options) {
  merges_.reserve(merges.size());
  std::string joined;
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const BpeMerge& m = merges[rank];
    const auto left = vocab().find(m.left), right = vocab().find(m.right);
    joined.assign(m.left).append(m.right);
    const auto merged = vocab().find(joined);
    if (left == vocab().end() || right == vocab().end() || merged == vocab().end())
      throw std::runtime_error("merge " + std::to_string(rank) + " (\"" + m.left + " " + m.right + "\") names a piece that is not in the vocabulary");
    // The first (best-ranked) of duplicate merges wins, as in the tokenizers crate.
    merges_.try_emplace(pairKey(left->second, right->second), MergeResult{static_cast<int>(rank), merged->second});
  }
}

std::vector<int> ByteLevelBpeTokenizer::mergeWord(std::string_view word) const {
  std::vector<int> symbols;
  if (options_.ignoreMerges) {
    const auto it = vocab().find(word);
    if (it != vocab().end()) return {it->second};
  }
  // One symbol per byte-level character (each is in the vocabulary of a byte-level model).
  symbols.reserve(word.size());
  for (std::size_t i = 0; i < word.size();) {
    const std::size_t at = i;
    utf8::next(word, i);
    const auto it = vocab().find(word.substr(at, i - at));
    if (it != vocab().end()) {
      symbols.push_back(it->second);
    } else if (options_.unkId >= 0 && !(options_.fuseUnk && !symbols.empty() && symbols.back() == options_.unkId)) {
      symbols.push_back(options_.unkId);
    }
  }
  // Merge the best-ranked adjacent pair (the leftmost of equal ranks) until none merges. Words are
  // short and cached, so a scan per merge beats keeping a heap.
  while (symbols.size() > 1) {
    int bestRank = std::numeric_limits<int>::max(), bestId = -1;
    std::size_t bestAt = 0;
    for (std::size_t k = 0; k + 1 < symbols.size(); ++k) {
      const auto it = merges_.find(pairKey(symbols[k], symbols[k + 1]));
      if (it != merges_.end() && it->second.rank < bestRank) {
        bestRank = it->second.rank;
        bestId = it->second.id;
        bestAt = k;
      }
    }
    if (bestId < 0) break;
    symbols[bestAt] = bestId;
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(bestAt) + 1);
  }
  return symbols;
}

void ByteLevelBpeTokenizer::encodeWord(std::string_view word, std::vector<int>& out) const {
  {
    std::shared_lock lock(cacheMutex_);
    const auto it = cache_.find(word);
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int> ids = mergeWord(word);
  out.insert(out.end(), ids.begin(), ids.end());
  std::unique_lock lock(cacheMutex_);
  if (cache_.size() >= options_.cacheCapacity) cache_.clear();
  cache_.emplace(std::string(word), std::move(ids));
}

std::string ByteLevelBpeTokenizer::decode(const std::vector<int>& ids) const {
  std::string bytes;
  for (const int id : ids) {
    if (isSpecial(id)) continue;
    const std::string p = piece(id);
    // A piece whose characters are all byte-level characters stands for those bytes; any other
    // (an added token such as "<think>" written outside the alphabet) stands for itself.
    std::string mapped;
    bool allMapped = true;
    for (std::size_t i = 0; i < p.size() && allMapped;) {
      const int b = byteLevelByte(utf8::next(p, i));
      if (b < 0) allMapped = false;
      else mapped += static_cast<char>(b);
    }
    bytes += allMapped ? mapped : p;
  }
  // Byte-level pieces can end inside a character; the text is what a lossy decoder reads.
  return utf8::toValid(bytes);
}

}  // namespace fts
