#include "core/data/Truncation.h"

#include <algorithm>
#include <cmath>

namespace fts::data {

const char* toString(Truncation t) {
  switch (t) {
    case Truncation::KeepHead: return "head";
    case Truncation::KeepTail: return "tail";
    case Truncation::KeepHeadAndTail: return "head+tail";
  }
  return "head";
}

bool parseTruncation(const std::string& name, Truncation& t) {
  if (name == "head") t = Truncation::KeepHead;
  else if (name == "tail") t = Truncation::KeepTail;
  else if (name == "head+tail") t = Truncation::KeepHeadAndTail;
  else return false;
  return true;
}

std::vector<int> truncateIds(std::span<const int> ids, std::size_t maxLen, Truncation how, double headShare) {
  if (ids.size() <= maxLen) return {ids.begin(), ids.end()};
  switch (how) {
    case Truncation::KeepHead: return {ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(maxLen)};
    case Truncation::KeepTail: return {ids.end() - static_cast<std::ptrdiff_t>(maxLen), ids.end()};
    case Truncation::KeepHeadAndTail: {
      const auto head = std::min(maxLen, static_cast<std::size_t>(std::llround(std::clamp(headShare, 0.0, 1.0) *
                                                                              static_cast<double>(maxLen))));
      const std::size_t tail = maxLen - head;
      std::vector<int> out(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(head));
      out.insert(out.end(), ids.end() - static_cast<std::ptrdiff_t>(tail), ids.end());
      return out;
    }
  }
  return {};
}

}  // namespace fts::data
