#pragma once
// Internal to core/ (includes torch through Lora.h): the LoRA settings a run's config asks for.
#include "core/model/Lora.h"
#include "core/train/TrainConfig.h"

namespace fts {
// model.lora_rank/alpha/dropout/targets as a LoraConfig (rank 0 means no LoRA).
LoraConfig loraConfigOf(const TrainConfig& cfg);
}  // namespace fts
