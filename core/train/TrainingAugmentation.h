#pragma once
// Augmentation of a run's training rows (augment.* settings), offline or afresh every epoch, through
// core/augment. The expanded set keeps a fixed layout, each row followed by its n variants, so the
// batch order (planned once on epoch 0's set) stays valid when an epoch's variants are drawn anew,
// and a resumed run, drawing from the same (seed, epoch, row), continues exactly. A slot whose text
// allows no distinct variant holds the original. Validation and test rows are never augmented.
// Torch-free.
#include "core/augment/Augmenter.h"
#include "core/data/Dataset.h"
#include "core/train/TrainConfig.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fts {

class TrainingAugmentation {
 public:
  // nullopt when augment.mode is off. Throws std::invalid_argument naming the setting that is wrong
  // (mode, ops, n, synonyms) or the synonym file that cannot be read.
  static std::optional<TrainingAugmentation> fromConfig(const TrainConfig& cfg);

  bool online() const { return online_; }
  int variantsPerRow() const { return n_; }
  std::string describe() const;  // for the run's log

  // rows (into train) -> a dataset of rows.size() * (1 + n) samples: row i's original at i*(1+n),
  // then its variants. Offline runs call it with epoch 0 only.
  data::Dataset expand(const data::Dataset& train, const std::vector<std::size_t>& rows, std::int64_t epoch) const;

 private:
  TrainingAugmentation(std::shared_ptr<const augment::Augmenter> augmenter, bool online, int n, std::uint64_t seed, std::string ops,
                       std::string synonyms)
      : augmenter_(std::move(augmenter)), online_(online), n_(n), seed_(seed), ops_(std::move(ops)), synonyms_(std::move(synonyms)) {}
  std::shared_ptr<const augment::Augmenter> augmenter_;
  bool online_ = false;
  int n_ = 1;
  std::uint64_t seed_ = 0;
  std::string ops_, synonyms_;
};

}  // namespace fts
