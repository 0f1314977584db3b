#pragma once
// Train/validation split: stratified by label, deterministic by seed.
#include "core/data/Dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fts::data {

struct Split {
  std::vector<std::size_t> train;       // indices into the dataset's samples
  std::vector<std::size_t> validation;
  std::string note;                     // what was done and why, for the user
};

// fraction < 0 picks by size: no validation under 50 rows (with a note saying so), 10% up to 500,
// 5% beyond. Each class with at least two samples keeps one in train and gives at least one.
Split splitForValidation(const Dataset& data, double fraction, std::uint64_t seed);

}  // namespace fts::data
