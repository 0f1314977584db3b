#include "core/data/Split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace fts::data {

Split splitForValidation(const Dataset& data, double fraction, std::uint64_t seed) {
  Split out;
  const std::size_t n = data.samples.size();
  double f = fraction;
  if (f < 0) {
    if (n < 50) {
      f = 0;
      out.note = "no validation split: only " + std::to_string(n) + " rows (under 50); give a validation file to measure";
    } else {
      f = n <= 500 ? 0.10 : 0.05;
    }
  }
  if (f <= 0) {
    out.train.resize(n);
    for (std::size_t i = 0; i < n; ++i) out.train[i] = i;
    if (out.note.empty()) out.note = "no validation split";
    return out;
  }
  // Group by label (one group for unlabelled text), shuffle each group with its own seeded stream.
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < n; ++i) groups[data.samples[i].label].push_back(i);
  std::mt19937_64 rng(seed);
  for (auto& [label, idx] : groups) {
    std::shuffle(idx.begin(), idx.end(), rng);
    std::size_t take = static_cast<std::size_t>(std::llround(f * static_cast<double>(idx.size())));
    if (idx.size() >= 2) take = std::clamp<std::size_t>(take, 1, idx.size() - 1);
    else take = 0;
    out.validation.insert(out.validation.end(), idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(take));
    out.train.insert(out.train.end(), idx.begin() + static_cast<std::ptrdiff_t>(take), idx.end());
  }
  std::sort(out.train.begin(), out.train.end());
  std::sort(out.validation.begin(), out.validation.end());
  out.note = "validation: " + std::to_string(out.validation.size()) + " of " + std::to_string(n) + " rows (" +
             std::to_string(static_cast<int>(std::lround(f * 100))) + "%, stratified, seed " + std::to_string(seed) + ")";
  return out;
}

}  // namespace fts::data
