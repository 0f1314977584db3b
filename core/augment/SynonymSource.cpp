#include "core/augment/SynonymSource.h"

#include <algorithm>

namespace fts::augment {

NeighbourSynonyms::NeighbourSynonyms(std::shared_ptr<const NeighbourIndex> index, int k, float minCosine)
    : index_(std::move(index)), k_(k), minCosine_(minCosine) {}

void NeighbourSynonyms::find(std::string_view word, PartOfSpeech, std::vector<std::string>& out) const {
  for (auto& w : index_->nearest(word, k_, minCosine_)) out.push_back(std::move(w));
}

std::vector<Synonym> SynonymSources::find(std::string_view word, PartOfSpeech pos) const {
  std::vector<Synonym> all;
  std::vector<std::string> found;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    found.clear();
    sources_[i]->find(word, pos, found);
    const std::size_t before = all.size();
    for (auto& w : found) {
      if (w.empty() || w == word) continue;
      // Only words of an earlier source can repeat (each source gives every word once).
      if (std::any_of(all.begin(), all.begin() + static_cast<long>(before), [&](const Synonym& s) { return s.word == w; })) continue;
      all.push_back({std::move(w), names_[i]});
    }
  }
  return all;
}

}  // namespace fts::augment
