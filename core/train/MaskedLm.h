#pragma once
// Internal to core/: includes torch. BERT's masked-LM objective on a padded batch: 15% of the real,
// non-special tokens of each row are chosen; of those 80% become [MASK], 10% a random token, 10% stay;
// the loss is the cross-entropy of the original token at the chosen positions only. The choice is a
// pure function of (seed, row, position), so the same step draws the same masks after a resume, and
// evaluation uses one fixed draw so its loss is comparable from one evaluation to the next.
#include "core/train/TensorBatch.h"

#include <cstdint>
#include <vector>

namespace fts {

class Tokenizer;

struct MlmMasking {
  int64_t maskId = -1;
  int64_t vocab = 0;
  std::vector<bool> special;  // [vocab]: never chosen ([CLS], [SEP], [PAD], ...), never drawn as the random token
  double probability = 0.15;
};

// Throws std::invalid_argument when the tokenizer has no [MASK] token.
MlmMasking mlmMaskingFor(const Tokenizer& tokenizer, int64_t vocab);

// b.ids [B,T] with right padding (b.lengths [B]); rowKeys[i] identifies row i (its index in the
// encoded set) so a row's draw does not depend on the batch it is in -> a batch whose ids are masked
// and whose targets [B,T] hold the original ids at the chosen positions, -100 elsewhere. A row gets at
// least one chosen position when it has a maskable token.
TensorBatch maskBatch(const TensorBatch& b, const std::vector<size_t>& rowKeys, const MlmMasking& m, uint64_t seed);

}  // namespace fts
