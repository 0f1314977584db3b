#include "core/data/Batcher.h"

#include "core/data/SeededShuffle.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace fts::data {
namespace {
constexpr std::uint64_t kBatchOrderPurpose = 0xBA7C40;
}

std::int64_t PaddedBatch::tokens() const { return std::accumulate(lengths.begin(), lengths.end(), std::int64_t{0}); }

std::string toJson(const BatchPosition& p) {
  nlohmann::ordered_json j;
  j["seed"] = p.seed;
  j["epoch"] = p.epoch;
  j["cursor"] = p.cursor;
  j["sequences"] = p.sequences;
  return j.dump();
}

BatchPosition batchPositionFromJson(std::string_view json) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::invalid_argument("batch position: not a JSON object");
  try {
    BatchPosition p;
    p.seed = j.at("seed").get<std::uint64_t>();
    p.epoch = j.at("epoch").get<std::int64_t>();
    p.cursor = j.at("cursor").get<std::int64_t>();
    p.sequences = j.at("sequences").get<std::uint64_t>();
    return p;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("batch position: ") + e.what());
  }
}

Batcher::Batcher(const std::vector<std::vector<int>>& sequences, BatchOptions options) : opt_(options) {
  if (opt_.batchSize == 0) throw std::invalid_argument("batch size must be at least 1");
  if (sequences.empty()) throw std::invalid_argument("no sequences to batch");
  const std::size_t specials = (opt_.bosId >= 0) + (opt_.eosId >= 0);
  if (opt_.maxLen <= specials)
    throw std::invalid_argument("max length " + std::to_string(opt_.maxLen) + " leaves no room beside BOS/EOS");
  if (opt_.padToMultiple == 0) opt_.padToMultiple = 1;
  if (opt_.bucketBatches == 0) opt_.bucketBatches = 1;
  const std::size_t room = opt_.maxLen - specials;
  seqs_.reserve(sequences.size());
  for (const auto& s : sequences) {
    std::vector<int> body = truncateIds(s, room, opt_.truncation, opt_.headShare);
    std::vector<int> framed;
    framed.reserve(body.size() + specials);
    if (opt_.bosId >= 0) framed.push_back(static_cast<int>(opt_.bosId));
    framed.insert(framed.end(), body.begin(), body.end());
    if (opt_.eosId >= 0) framed.push_back(static_cast<int>(opt_.eosId));
    seqs_.push_back(std::move(framed));
  }
  plan_ = epochPlan(0);
}

std::size_t Batcher::batchesPerEpoch() const {
  const std::size_t n = seqs_.size(), b = opt_.batchSize;
  if (opt_.dropLast) return std::max<std::size_t>(n / b, 1);  // never zero: a tiny set still trains
  return (n + b - 1) / b;
}

std::vector<std::vector<std::size_t>> Batcher::epochPlan(std::int64_t epoch) const {
  const std::size_t n = seqs_.size(), b = opt_.batchSize;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  SeededRandom rng(deriveSeed(opt_.seed, kBatchOrderPurpose, static_cast<std::uint64_t>(epoch)));
  if (opt_.shuffle) seededShuffle(order, rng);
  if (opt_.bucketByLength) {
    const std::size_t bucket = b * opt_.bucketBatches;
    for (std::size_t start = 0; start < n; start += bucket) {
      const auto first = order.begin() + static_cast<std::ptrdiff_t>(start);
      const auto last = order.begin() + static_cast<std::ptrdiff_t>(std::min(n, start + bucket));
      std::stable_sort(first, last, [&](std::size_t x, std::size_t y) { return seqs_[x].size() < seqs_[y].size(); });
    }
  }
  std::vector<std::vector<std::size_t>> batches;
  for (std::size_t start = 0; start < n; start += b) {
    const std::size_t end = std::min(n, start + b);
    if (opt_.dropLast && end - start < b && !batches.empty()) break;
    batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start), order.begin() + static_cast<std::ptrdiff_t>(end));
  }
  // Buckets sorted by length would otherwise run short-to-long through each epoch.
  if (opt_.shuffle && opt_.bucketByLength) seededShuffle(batches, rng);
  return batches;
}

PaddedBatch Batcher::pad(const std::vector<std::vector<int>>& framed, const std::vector<std::size_t>& rows,
                         std::int64_t padId, std::size_t padToMultiple, std::size_t maxLen) {
  PaddedBatch b;
  b.rows = rows.size();
  std::size_t width = 0;
  for (std::size_t r : rows) width = std::max(width, framed.at(r).size());
  if (padToMultiple > 1) width = std::min(std::max(maxLen, width), (width + padToMultiple - 1) / padToMultiple * padToMultiple);
  b.cols = width;
  b.ids.assign(b.rows * b.cols, padId);
  b.mask.assign(b.rows * b.cols, 0);
  b.lengths.resize(b.rows);
  b.indices = rows;
  for (std::size_t i = 0; i < b.rows; ++i) {
    const auto& s = framed[rows[i]];
    std::int64_t* out = b.ids.data() + i * b.cols;
    std::uint8_t* m = b.mask.data() + i * b.cols;
    for (std::size_t t = 0; t < s.size(); ++t) {
      out[t] = s[t];
      m[t] = 1;
    }
    b.lengths[i] = static_cast<std::int64_t>(s.size());
  }
  return b;
}

PaddedBatch Batcher::next() {
  if (cursor_ >= static_cast<std::int64_t>(plan_.size())) {
    ++epoch_;
    cursor_ = 0;
    plan_ = epochPlan(epoch_);
  }
  PaddedBatch b = pad(seqs_, plan_[static_cast<std::size_t>(cursor_)], opt_.padId, opt_.padToMultiple, opt_.maxLen);
  b.epoch = epoch_;
  b.step = cursor_;
  ++cursor_;
  return b;
}

BatchPosition Batcher::position() const {
  return BatchPosition{opt_.seed, epoch_, cursor_, static_cast<std::uint64_t>(seqs_.size())};
}

void Batcher::restore(const BatchPosition& p) {
  if (p.sequences != seqs_.size())
    throw std::invalid_argument("batch position was saved for " + std::to_string(p.sequences) + " sequences, not " +
                                std::to_string(seqs_.size()));
  if (p.seed != opt_.seed)
    throw std::invalid_argument("batch position was saved with seed " + std::to_string(p.seed) + ", not " +
                                std::to_string(opt_.seed));
  if (p.epoch < 0 || p.cursor < 0) throw std::invalid_argument("batch position is negative");
  epoch_ = p.epoch;
  plan_ = epochPlan(epoch_);
  if (p.cursor > static_cast<std::int64_t>(plan_.size()))
    throw std::invalid_argument("batch position is past the end of its epoch");
  cursor_ = p.cursor;
}

}  // namespace fts::data
