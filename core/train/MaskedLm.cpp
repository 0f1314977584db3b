#include "core/train/MaskedLm.h"

#include "core/data/SeededShuffle.h"
#include "core/text/Tokenizer.h"

#include <torch/torch.h>

#include <stdexcept>

namespace fts {

MlmMasking mlmMaskingFor(const Tokenizer& tok, int64_t vocab) {
  MlmMasking m;
  m.maskId = tok.maskId();
  if (m.maskId < 0)
    throw std::invalid_argument("the tokenizer has no [MASK] token: masked-LM training needs an encoder's tokenizer");
  m.vocab = vocab;
  m.special.assign(static_cast<size_t>(vocab), false);
  for (int64_t id = 0; id < vocab && id < tok.vocabSize(); ++id) m.special[static_cast<size_t>(id)] = tok.isSpecial(static_cast<int>(id));
  if (m.maskId < vocab) m.special[static_cast<size_t>(m.maskId)] = true;
  for (const int id : {tok.unkId(), tok.padId(), tok.bosId(), tok.eosId()})
    if (id >= 0 && id < vocab) m.special[static_cast<size_t>(id)] = true;
  return m;
}

TensorBatch maskBatch(const TensorBatch& b, const std::vector<size_t>& rowKeys, const MlmMasking& m, uint64_t seed) {
  const int64_t B = b.ids.size(0), T = b.ids.size(1);
  TensorBatch out = b;
  out.ids = b.ids.clone();                           // [B,T]
  out.targets = torch::full({B, T}, -100, torch::kInt64);  // [B,T]
  out.predicted = 0;
  auto ids = out.ids.accessor<int64_t, 2>();
  auto targets = out.targets.accessor<int64_t, 2>();
  auto lengths = b.lengths.accessor<int64_t, 1>();
  const uint64_t threshold = static_cast<uint64_t>(m.probability * 1e6);
  for (int64_t i = 0; i < B; ++i) {
    data::SeededRandom rng(data::deriveSeed(seed, 0x6d6c6d /* "mlm" */, rowKeys[static_cast<size_t>(i)]));
    int64_t chosenInRow = 0, firstMaskable = -1;
    for (int64_t j = 0; j < lengths[i]; ++j) {
      const int64_t id = ids[i][j];
      const bool maskable = id >= 0 && id < m.vocab && !m.special[static_cast<size_t>(id)];
      const uint64_t draw = rng.below(1000000), kind = rng.below(10), random = rng.below(static_cast<uint64_t>(m.vocab));
      if (!maskable) continue;
      if (firstMaskable < 0) firstMaskable = j;
      if (draw >= threshold) continue;
      targets[i][j] = id;
      ++chosenInRow;
      if (kind < 8) ids[i][j] = m.maskId;                                                   // 80%: [MASK]
      else if (kind == 8 && !m.special[static_cast<size_t>(random)]) ids[i][j] = static_cast<int64_t>(random);  // 10%: a random token
      // else 10%: the token stays
    }
    if (chosenInRow == 0 && firstMaskable >= 0) {  // short rows still teach something
      targets[i][firstMaskable] = ids[i][firstMaskable];
      ids[i][firstMaskable] = m.maskId;
      chosenInRow = 1;
    }
    out.predicted += chosenInRow;
  }
  return out;
}

}  // namespace fts
