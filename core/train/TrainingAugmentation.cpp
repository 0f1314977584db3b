#include "core/train/TrainingAugmentation.h"

#include "core/augment/UserSynonyms.h"
#include "core/augment/WordNet.h"

#include <stdexcept>

namespace fts {

std::optional<TrainingAugmentation> TrainingAugmentation::fromConfig(const TrainConfig& cfg) {
  const auto& a = cfg.augment;
  if (a.mode == "off" || a.mode.empty()) return std::nullopt;
  if (a.mode != "offline" && a.mode != "online")
    throw std::invalid_argument("augment.mode must be off, offline or online, not '" + a.mode + "'");
  if (a.n < 1 || a.n > 64) throw std::invalid_argument("augment.n must be between 1 and 64 variants per training row");
  augment::AugmentOptions options;
  try {
    options.ops = augment::parseOperations(a.ops);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("augment.ops: " + std::string(e.what()));
  }
  options.variants = a.n;
  augment::AugmentResources resources;
  if (a.synonyms == "wordnet") {
    auto wn = std::make_shared<const augment::WordNet>(augment::WordNet::load(augment::WordNet::kDebianFolder));
    resources.synonyms.add(std::make_shared<augment::WordNetSynonyms>(wn));
  } else if (a.synonyms != "none" && !a.synonyms.empty()) {
    resources.synonyms.add(augment::UserSynonyms::load(a.synonyms));
  }
  resources.english = augment::StopWords::shipped("en");
  resources.chinese = augment::StopWords::shipped("zh");
  auto augmenter = std::make_shared<const augment::Augmenter>(options, std::move(resources));
  const std::uint64_t seed = static_cast<std::uint64_t>(a.seed != 0 ? a.seed : cfg.train.seed);
  return TrainingAugmentation(std::move(augmenter), a.mode == "online", a.n, seed, a.ops, a.synonyms);
}

std::string TrainingAugmentation::describe() const {
  return std::string(online_ ? "online (fresh variants every epoch)" : "offline (variants made once)") + ": " + ops_ + ", " +
         std::to_string(n_) + (n_ == 1 ? " variant" : " variants") + " beside each training row, synonyms: " + synonyms_ +
         ", seed " + std::to_string(seed_);
}

data::Dataset TrainingAugmentation::expand(const data::Dataset& train, const std::vector<std::size_t>& rows, std::int64_t epoch) const {
  data::Dataset out;
  out.source = train.source;
  out.files = train.files;
  out.samples.reserve(rows.size() * static_cast<std::size_t>(1 + n_));
  for (const std::size_t r : rows) {
    const data::Sample& s = train.samples[r];
    out.samples.push_back(s);
    // The row's index in the training file keys its draws, so a variant does not depend on the split.
    const auto variants = augmenter_->augment(s.text, {seed_, static_cast<std::uint64_t>(epoch), static_cast<std::int64_t>(r)});
    for (int v = 0; v < n_; ++v) {
      data::Sample copy = s;
      if (static_cast<std::size_t>(v) < variants.size()) copy.text = variants[static_cast<std::size_t>(v)].output;
      out.samples.push_back(std::move(copy));
    }
  }
  return out;
}

}  // namespace fts
