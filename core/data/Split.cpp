#include "core/data/Split.h"

#include "core/data/Hash64.h"
#include "core/data/SeededShuffle.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace fts::data {

double validationFractionForSize(std::size_t rows) {
  if (rows < 50) return 0;
  return rows <= 500 ? 0.10 : 0.05;
}

Split splitForValidation(const Dataset& data, double fraction, std::uint64_t seed) {
  Split out;
  out.seed = seed;
  const std::size_t n = data.samples.size();
  double f = fraction < 0 ? validationFractionForSize(n) : std::min(fraction, 0.9);
  out.fraction = f;
  if (n == 0) {
    out.note = "no rows to split";
    return out;
  }
  if (f <= 0) {
    out.train.resize(n);
    for (std::size_t i = 0; i < n; ++i) out.train[i] = i;
    if (fraction < 0) {
      out.note = "no validation split: only " + std::to_string(n) + " rows (under 50)";
      out.warning = "only " + std::to_string(n) + " rows, too few to set some aside for validation: training runs "
                    "without early stopping or a held-out score; add rows or give a validation file";
    } else {
      out.note = "no validation split (fraction 0)";
    }
    return out;
  }
  // Group by label (one group for unlabelled text), sorted by label so the result never depends on
  // the order classes first appear in.
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < n; ++i) groups[data.samples[i].label].push_back(i);
  std::vector<std::string> single;
  for (auto& [label, idx] : groups) {
    SeededRandom rng(deriveSeed(seed, hash64(label), 0x5B17));
    seededShuffle(idx, rng);
    std::size_t take = static_cast<std::size_t>(std::llround(f * static_cast<double>(idx.size())));
    if (idx.size() >= 2) take = std::clamp<std::size_t>(take, 1, idx.size() - 1);
    else take = 0;
    if (idx.size() < 2 && !label.empty()) single.push_back(label);
    out.validation.insert(out.validation.end(), idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(take));
    out.train.insert(out.train.end(), idx.begin() + static_cast<std::ptrdiff_t>(take), idx.end());
  }
  std::sort(out.train.begin(), out.train.end());
  std::sort(out.validation.begin(), out.validation.end());
  out.note = "validation: " + std::to_string(out.validation.size()) + " of " + std::to_string(n) + " rows (" +
             std::to_string(static_cast<int>(std::lround(f * 100))) + "%" +
             (groups.size() > 1 || !groups.begin()->first.empty() ? ", stratified" : "") + ", seed " +
             std::to_string(seed) + ")";
  if (!single.empty()) {
    std::string list;
    for (std::size_t i = 0; i < single.size() && i < 5; ++i) list += (i ? ", '" : "'") + single[i] + "'";
    if (single.size() > 5) list += ", ...";
    out.warning = std::to_string(single.size()) + " classes have a single sample and are not validated (" + list +
                  "): add samples of them";
  }
  return out;
}

}  // namespace fts::data
