#pragma once
// Batches of token ids for training, as plain vectors (the trainer wraps them in tensors with
// torch::from_blob, no copy): dynamic padding (each batch as wide as its longest row), length
// bucketing (rows of similar length batched together, so little is padding), truncation, special
// tokens, and a deterministic order whose position can be saved with a checkpoint and restored.
//
// Layout of a PaddedBatch with B = rows, T = cols (row-major, like a contiguous [B,T] tensor):
//   ids[b*T + t]   token t of row b; padId where t >= lengths[b]        int64, [B,T]
//   mask[b*T + t]  1 where t < lengths[b] (a real token), 0 on padding  uint8, [B,T]
//   lengths[b]     real tokens of row b (0 only for an empty sequence)  int64, [B]
//   indices[b]     which input sequence row b is                        size_t, [B]
// Padding is on the right; the last real token of row b is at lengths[b] - 1.
#include "core/data/Truncation.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fts::data {

struct BatchOptions {
  std::size_t batchSize = 16;
  std::size_t maxLen = 128;          // tokens per row, special tokens included
  Truncation truncation = Truncation::KeepHead;
  double headShare = 0.25;           // for KeepHeadAndTail
  std::int64_t padId = 3;
  std::int64_t bosId = -1;           // >= 0: put first in every row
  std::int64_t eosId = -1;           // >= 0: put last in every row (after truncation, so it stays)
  bool shuffle = true;               // a new order every epoch, from (seed, epoch)
  bool bucketByLength = true;        // sort rows by length within buckets, then shuffle the batches
  std::size_t bucketBatches = 50;    // a bucket holds this many batches' worth of rows
  bool dropLast = false;             // drop a last batch smaller than batchSize
  std::size_t padToMultiple = 1;     // round each batch's width up to a multiple (never past maxLen)
  std::uint64_t seed = 0;
};

struct PaddedBatch {
  std::size_t rows = 0, cols = 0;    // B, T
  std::vector<std::int64_t> ids;     // [B*T]
  std::vector<std::uint8_t> mask;    // [B*T]
  std::vector<std::int64_t> lengths; // [B]
  std::vector<std::size_t> indices;  // [B]
  std::int64_t epoch = 0;            // which epoch this batch belongs to
  std::int64_t step = 0;             // its place in that epoch
  std::int64_t tokens() const;       // sum of lengths
};

// Where the batcher is: save it with a checkpoint so a resumed run sees the same batches.
struct BatchPosition {
  std::uint64_t seed = 0;
  std::int64_t epoch = 0;
  std::int64_t cursor = 0;           // batches of `epoch` already handed out
  std::uint64_t sequences = 0;       // how many sequences it was made for (checked on restore)
};
std::string toJson(const BatchPosition& p);                  // {"seed":..,"epoch":..,"cursor":..,"sequences":..}
BatchPosition batchPositionFromJson(std::string_view json);  // throws std::invalid_argument

class Batcher {
 public:
  // Sequences are token ids without special tokens; they are truncated and framed here.
  // Throws std::invalid_argument for a batch size of 0, no sequences, or maxLen too small for
  // the special tokens.
  Batcher(const std::vector<std::vector<int>>& sequences, BatchOptions options);

  std::size_t size() const { return seqs_.size(); }
  std::size_t batchesPerEpoch() const;
  const BatchOptions& options() const { return opt_; }

  // The next batch; after an epoch's last batch the next epoch begins, in a new order.
  PaddedBatch next();
  BatchPosition position() const;
  // Continues from a saved position. Throws std::invalid_argument when it was saved for a different
  // number of sequences or another seed.
  void restore(const BatchPosition& position);

  // The batches of an epoch as sequence indices: a function of (seed, epoch) and the lengths only.
  std::vector<std::vector<std::size_t>> epochPlan(std::int64_t epoch) const;
  // The sequence as it goes into a batch (truncated, with BOS/EOS).
  const std::vector<int>& framed(std::size_t i) const { return seqs_[i]; }

  // Pads the given framed sequences into one batch.
  static PaddedBatch pad(const std::vector<std::vector<int>>& framed, const std::vector<std::size_t>& rows,
                         std::int64_t padId, std::size_t padToMultiple, std::size_t maxLen);

 private:
  BatchOptions opt_;
  std::vector<std::vector<int>> seqs_;
  std::int64_t epoch_ = 0, cursor_ = 0;
  std::vector<std::vector<std::size_t>> plan_;  // of epoch_
};

}  // namespace fts::data
