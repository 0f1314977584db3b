#pragma once
// Internal to core/: includes torch. LoRA on the BERT encoder's linears, with the adapters, scale and
// folding of core/model/Lora.h (one LoraState type, the same PEFT names "...query.lora_A.weight").
//
// Targets by role, so one model setting means the same on every model family:
//   q -> attention.self.query     k -> attention.self.key     v -> attention.self.value
//   o -> attention.output.dense   up -> intermediate.dense    down -> output.dense
// (BERT has no gate projection.) PEFT's BERT names are accepted too: query, key, value,
// attention.output(.dense), intermediate(.dense), output(.dense).
#include "core/model/BertModules.h"
#include "core/model/Lora.h"

#include <string>
#include <vector>

namespace fts {

// The roles of `targets` (PEFT's BERT names mapped to q, k, v, o, up, down). Throws
// std::invalid_argument naming a target that BERT does not have (gate, or an unknown name).
std::vector<std::string> bertLoraRoles(const std::vector<std::string>& targets);
// The linear of one layer for a role (q, k, v, o, up, down); throws std::invalid_argument otherwise.
torch::nn::Linear& bertLoraTarget(BertLayerImpl& layer, const std::string& role);

// Attaches adapters to the target linears of every layer (B = 0: outputs unchanged until training) and
// freezes every other parameter except the classifier (trained with the adapters, as PEFT's
// modules_to_save for sequence classification; the pooler stays frozen, as in PEFT). The masked-LM head
// stays frozen like Llama's lm_head. Throws std::logic_error when adapters are already attached.
void attachBertLora(BertForSequenceClassification& model, const LoraConfig& config, uint64_t seed);
void attachBertLora(BertForMaskedLM& model, const LoraConfig& config, uint64_t seed);
bool hasBertLora(BertModelImpl& bert);
// Folds the updates into the base weights (W += scale * B A) / takes them out again.
void mergeBertLora(BertModelImpl& bert);
void unmergeBertLora(BertModelImpl& bert);

}  // namespace fts
