#include "core/data/Dataset.h"

namespace fts::data {

bool Dataset::labelled() const {
  for (const auto& s : samples)
    if (!s.label.empty()) return true;
  return false;
}

bool Dataset::paired() const {
  for (const auto& s : samples)
    if (!s.response.empty()) return true;
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

std::string Dataset::where(std::size_t i) const {
  if (i >= samples.size()) return source;
  const Sample& s = samples[i];
  std::string out = s.file >= 0 && static_cast<std::size_t>(s.file) < files.size() ? files[static_cast<std::size_t>(s.file)] : source;
  if (s.line > 0) out += ":" + std::to_string(s.line);
  return out;
}

}  // namespace fts::data
