#pragma once
// Train/validation split: stratified by label, deterministic by seed (the same on every platform).
#include "core/data/Dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fts::data {

struct Split {
  std::vector<std::size_t> train;       // indices into the dataset's samples, ascending
  std::vector<std::size_t> validation;
  std::string note;                     // what was done and why, for the user
  std::string warning;                  // non-empty when the user should act (too few rows, ...)
  double fraction = 0;                  // the fraction used (after choosing by size)
  std::uint64_t seed = 0;
};

// The validation fraction chosen by size: none under 50 rows, 10% up to 500, 5% beyond.
double validationFractionForSize(std::size_t rows);

// fraction < 0 picks by size (above). Each class with at least two samples gives at least one to
// validation and keeps at least one for training; a class with one sample stays in training.
// Each class is shuffled with its own stream derived from (seed, label), so adding a class leaves
// the others' split unchanged.
Split splitForValidation(const Dataset& data, double fraction, std::uint64_t seed);

}  // namespace fts::data
