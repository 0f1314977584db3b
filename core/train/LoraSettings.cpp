#include "core/train/LoraSettings.h"

namespace fts {

LoraConfig loraConfigOf(const TrainConfig& cfg) {
  LoraConfig l;
  l.rank = cfg.model.lora_rank;
  l.alpha = cfg.model.lora_alpha;
  l.dropout = cfg.model.lora_dropout;
  l.targets = LoraConfig::parseTargets(cfg.model.lora_targets);
  return l;
}

}  // namespace fts
