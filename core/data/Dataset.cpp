#include "core/data/Dataset.h"

namespace fts::data {

bool Dataset::labelled() const {
  for (const auto& s : samples)
    if (!s.label.empty()) return true;
  return false;
}

std::map<std::string, std::int64_t> Dataset::classCounts() const {
  std::map<std::string, std::int64_t> counts;
  for (const auto& s : samples)
    if (!s.label.empty()) ++counts[s.label];
  return counts;
}

std::vector<std::string> Dataset::labels() const {
  std::vector<std::string> out;
  for (const auto& [label, n] : classCounts()) out.push_back(label);
  return out;
}

}  // namespace fts::data
