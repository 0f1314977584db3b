#include "core/data/Duplicates.h"

#include "core/data/Hash64.h"
#include "core/data/TextNormalization.h"

#include <numeric>
#include <unordered_map>

namespace fts::data {
namespace {

std::uint64_t exactKey(const Sample& s) {
  Hasher64 h;
  h.update(s.text);
  h.updateU64(s.response.size());
  h.update(s.response);
  return h.digest();
}

std::string normalForm(const Sample& s) {
  return s.response.empty() ? normalizeForDuplicates(s.text)
                            : normalizeForDuplicates(s.text) + "\x1f" + normalizeForDuplicates(s.response);
}

bool sameExact(const Sample& a, const Sample& b) { return a.text == b.text && a.response == b.response; }

// Rows indexed by exact hash and by normalized form (the hash of it, confirmed on a hit).
class SampleIndex {
 public:
  explicit SampleIndex(const Dataset& data) : data_(data) {}

  struct Hit {
    bool exact = false, normalized = false;
    std::size_t first = 0;
  };

  Hit find(const Sample& s, std::uint64_t exactHash, const std::string& normal) const {
    Hit hit;
    if (auto it = exact_.find(exactHash); it != exact_.end() && sameExact(data_.samples[it->second], s)) {
      hit.exact = hit.normalized = true;
      hit.first = it->second;
      return hit;
    }
    if (auto it = normal_.find(hash64(normal)); it != normal_.end() && normalForm(data_.samples[it->second]) == normal) {
      hit.normalized = true;
      hit.first = it->second;
    }
    return hit;
  }

  void add(std::size_t row, std::uint64_t exactHash, const std::string& normal) {
    exact_.emplace(exactHash, row);
    normal_.emplace(hash64(normal), row);
  }

 private:
  const Dataset& data_;
  std::unordered_map<std::uint64_t, std::size_t> exact_, normal_;
};

}  // namespace

std::vector<std::size_t> allRows(const Dataset& data) {
  std::vector<std::size_t> rows(data.samples.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return rows;
}

DuplicateReport findDuplicates(const Dataset& data, const std::vector<std::size_t>& rows, std::size_t maxExamples) {
  DuplicateReport report;
  SampleIndex index(data);
  for (std::size_t r : rows) {
    if (r >= data.samples.size()) continue;
    const Sample& s = data.samples[r];
    const std::uint64_t key = exactKey(s);
    const std::string normal = normalForm(s);
    const auto hit = index.find(s, key, normal);
    if (!hit.normalized) {
      index.add(r, key, normal);
      continue;
    }
    ++report.normalized;
    if (hit.exact) ++report.exact;
    if (data.samples[hit.first].label != s.label) ++report.conflicting;
    if (report.examples.size() < maxExamples) report.examples.push_back({r, hit.first, hit.exact});
  }
  return report;
}

LeakageReport findLeakage(const Dataset& train, const std::vector<std::size_t>& trainRows, const Dataset& other,
                          const std::vector<std::size_t>& otherRows, std::size_t maxExamples) {
  LeakageReport report;
  SampleIndex index(train);
  for (std::size_t r : trainRows) {
    if (r >= train.samples.size()) continue;
    const Sample& s = train.samples[r];
    index.add(r, exactKey(s), normalForm(s));
  }
  for (std::size_t r : otherRows) {
    if (r >= other.samples.size()) continue;
    ++report.rows;
    const Sample& s = other.samples[r];
    const auto hit = index.find(s, exactKey(s), normalForm(s));
    if (!hit.normalized) continue;
    ++report.normalized;
    if (hit.exact) ++report.exact;
    if (report.examples.size() < maxExamples) report.examples.push_back({r, hit.first, hit.exact});
  }
  return report;
}

}  // namespace fts::data
