#include "core/augment/WordVectors.h"

#include "core/util/AtomicFile.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace fts::augment {
namespace {

constexpr int kCachedNeighbours = 50;  // kept per word, enough for any k asked in practice

std::string lineError(const std::filesystem::path& file, std::size_t line, const std::string& what) {
  return file.string() + ":" + std::to_string(line) + ": " + what;
}

}  // namespace

std::shared_ptr<WordVectors> WordVectors::loadWord2VecText(const std::filesystem::path& file, std::size_t maxWords) {
  const std::string text = readWholeFile(file);
  auto v = std::make_shared<WordVectors>();
  v->name_ = "vectors:" + file.filename().string();
  std::size_t at = 0, lineNo = 0;
  auto nextLine = [&](std::string_view& line) {
    if (at >= text.size()) return false;
    std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    line = std::string_view(text).substr(at, nl - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at = nl + 1;
    ++lineNo;
    return true;
  };
  std::string_view line;
  if (!nextLine(line)) throw std::runtime_error(file.string() + ": empty file; expected word2vec text format (first line \"count dim\")");
  long long count = 0, dim = 0;
  {
    const std::string header(line);
    if (std::sscanf(header.c_str(), "%lld %lld", &count, &dim) != 2 || count <= 0 || dim <= 0 || dim > 100000)
      throw std::runtime_error(lineError(file, 1, "expected the word2vec header \"count dim\" (e.g. \"400000 50\"); a GloVe file needs that line added in front"));
  }
  v->dim_ = static_cast<int>(dim);
  const std::size_t limit = maxWords ? std::min<std::size_t>(maxWords, count) : static_cast<std::size_t>(count);
  v->words_.reserve(limit);
  v->unit_.reserve(limit * dim);
  while (v->words_.size() < limit && nextLine(line)) {
    if (line.empty()) continue;
    const auto space = line.find(' ');
    if (space == std::string_view::npos || space == 0) throw std::runtime_error(lineError(file, lineNo, "expected \"word v1 ... v" + std::to_string(dim) + "\""));
    std::string word(line.substr(0, space));
    const std::string values(line.substr(space + 1));
    const char* p = values.c_str();
    double norm = 0;
    const std::size_t base = v->unit_.size();
    for (long long d = 0; d < dim; ++d) {
      char* end = nullptr;
      const float x = std::strtof(p, &end);
      if (end == p) throw std::runtime_error(lineError(file, lineNo, "value " + std::to_string(d + 1) + " of " + std::to_string(dim) + " is missing or not a number"));
      v->unit_.push_back(x);
      norm += double(x) * x;
      p = end;
    }
    while (*p == ' ' || *p == '\t') ++p;
    if (*p) throw std::runtime_error(lineError(file, lineNo, "more than " + std::to_string(dim) + " values (the header says dim " + std::to_string(dim) + ")"));
    const float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.f;
    for (long long d = 0; d < dim; ++d) v->unit_[base + d] *= scale;
    v->row_.emplace(word, v->words_.size());
    v->words_.push_back(std::move(word));
  }
  return v;
}

std::vector<std::string> WordVectors::nearest(std::string_view word, int k, float minCosine) const {
  auto row = row_.find(word);
  if (row == row_.end()) return {};
  std::vector<std::pair<std::string, float>> top;
  {
    std::lock_guard lock(cacheMutex_);
    if (auto it = cache_.find(std::string(word)); it != cache_.end()) top = it->second;
  }
  if (top.empty()) {
    const float* q = &unit_[row->second * dim_];
    std::vector<std::pair<float, std::size_t>> scored;
    scored.reserve(words_.size());
    for (std::size_t i = 0; i < words_.size(); ++i) {
      if (i == row->second) continue;
      const float* r = &unit_[i * dim_];
      float dot = 0;
      for (int d = 0; d < dim_; ++d) dot += q[d] * r[d];
      scored.emplace_back(dot, i);
    }
    const std::size_t keep = std::min<std::size_t>(kCachedNeighbours, scored.size());
    // Ties broken by row, so the order (and every seeded choice after it) is the same everywhere.
    std::partial_sort(scored.begin(), scored.begin() + keep, scored.end(),
                      [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    for (std::size_t i = 0; i < keep; ++i) top.emplace_back(words_[scored[i].second], scored[i].first);
    std::lock_guard lock(cacheMutex_);
    cache_.emplace(std::string(word), top);
  }
  std::vector<std::string> out;
  for (const auto& [w, cosine] : top) {
    if (static_cast<int>(out.size()) >= k || cosine < minCosine) break;
    out.push_back(w);
  }
  return out;
}

}  // namespace fts::augment
