#pragma once
// Internal to core/: includes torch. A padded batch of encoded sequences as the tensors a training
// or evaluation step takes.
#include "core/data/Batcher.h"
#include "core/train/SampleEncoding.h"

#include <torch/types.h>

namespace fts {

struct TensorBatch {
  torch::Tensor ids;      // [B,T] int64, right-padded with the pad id
  torch::Tensor lengths;  // [B]   int64, real tokens per row
  torch::Tensor targets;  // classification: [B] class ids; causal LM: [B,T] next-token ids, -100 where
                          // nothing is predicted (padding, the prompt of a pair, the last token)
  std::int64_t tokens = 0;     // real tokens in the batch
  std::int64_t predicted = 0;  // classification: rows; causal LM: targets that are not -100
};

// `padded` holds rows of `set` (padded.indices are indices into set).
TensorBatch toTensorBatch(const data::PaddedBatch& padded, const EncodedSet& set, bool classification);

}  // namespace fts
