#include "core/train/TensorBatch.h"

#include <torch/torch.h>

namespace fts {

TensorBatch toTensorBatch(const data::PaddedBatch& padded, const EncodedSet& set, bool classification) {
  const int64_t B = static_cast<int64_t>(padded.rows), T = static_cast<int64_t>(padded.cols);
  TensorBatch b;
  // from_blob borrows the vectors: clone so the tensors own their memory.
  b.ids = torch::from_blob(const_cast<int64_t*>(padded.ids.data()), {B, T}, torch::kInt64).clone();
  b.lengths = torch::from_blob(const_cast<int64_t*>(padded.lengths.data()), {B}, torch::kInt64).clone();
  b.tokens = padded.tokens();
  if (classification) {
    b.targets = torch::empty({B}, torch::kInt64);
    auto t = b.targets.accessor<int64_t, 1>();
    for (int64_t i = 0; i < B; ++i) t[i] = set.labels[padded.indices[static_cast<size_t>(i)]];
    b.predicted = B;
    return b;
  }
  b.targets = torch::full({B, T}, -100, torch::kInt64);
  auto t = b.targets.accessor<int64_t, 2>();
  for (int64_t i = 0; i < B; ++i) {
    const size_t row = padded.indices[static_cast<size_t>(i)];
    const auto& ids = set.ids[row];
    const int64_t n = static_cast<int64_t>(ids.size());
    for (int64_t j = std::max<int64_t>(0, set.predictFrom[row] - 1); j + 1 < n; ++j) {
      t[i][j] = ids[static_cast<size_t>(j + 1)];
      ++b.predicted;
    }
  }
  return b;
}

}  // namespace fts
