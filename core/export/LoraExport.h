#pragma once
// Internal to core/: includes torch. A LoRA run as the exports need it, and the PEFT adapter folder.
//
// A LoRA run keeps its adapters in its checkpoints (base weights, lora_A/lora_B, and a classifier's
// head) and hands over model/ with the adapters folded in. The peft and merged exports start from the
// checkpoint whose adapters give exactly that model/ folder (the best one, else the newest).
//
// A PEFT LoRA adapter folder, as peft's save_pretrained writes it:
//   adapter_config.json        {"peft_type": "LORA", "r", "lora_alpha", "lora_dropout", "target_modules":
//                               ["q_proj", ...], "task_type": "CAUSAL_LM" | "SEQ_CLS", "modules_to_save":
//                               null | ["score"], "base_model_name_or_path", ...}
//   adapter_model.safetensors  base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight [r, in]
//                              base_model.model.model.layers.N.self_attn.q_proj.lora_B.weight [out, r]
//                              base_model.model.score.weight [C, D]   (classifier: the head trained with the adapters)
// peft multiplies B A by lora_alpha / r, as the studio does.
#include "core/io/SafetensorsTypes.h"
#include "core/model/LlamaModules.h"
#include "core/model/Lora.h"
#include "core/text/Tokenizer.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fts {

inline constexpr const char* kPeftConfigFile = "adapter_config.json";
inline constexpr const char* kPeftWeightsFile = "adapter_model.safetensors";

struct LoraRunModel {
  LlamaForTask model{nullptr};  // adapters attached and unmerged, eval mode: the run's model as it trained
  std::unique_ptr<Tokenizer> tokenizer;
  LoraConfig lora;
  std::filesystem::path checkpoint;  // where the adapters were read from
  std::filesystem::path baseModel;   // the run's model.base; empty when trained from scratch
  std::string note;                  // said to the user, e.g. that an unfinished run gives its newest checkpoint
};

// Throws std::invalid_argument when `runDir` is not a LoRA run, std::runtime_error naming the folder
// when no checkpoint matches its model/ folder (the folder was changed after training).
LoraRunModel loadLoraRun(const std::filesystem::path& runDir);

// "model.layers.0.self_attn.q_proj.lora_A.weight" -> "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
// "score.weight" -> "base_model.model.score.weight".
std::string peftTensorName(const std::string& ours);

// adapter_config.json text for `lora` on `baseModel`.
std::string peftAdapterConfigJson(const LoraConfig& lora, bool classifier, const std::string& baseModel);

// Writes adapter_config.json and adapter_model.safetensors (floating tensors as `dtype`) into `folder`.
void writePeftAdapter(const std::filesystem::path& folder, LlamaForTask& model, const std::string& baseModel, SafetensorsDtype dtype);

// Reads `folder`'s adapter_config.json (its r, lora_alpha, target_modules: the file's, not the run's),
// attaches adapters so to `base` and fills them (and modules_to_save) from adapter_model.safetensors.
// Every tensor of the file must find its place and every adapter its tensors. Throws std::runtime_error
// naming the file and the tensor.
void loadPeftAdapter(LlamaForTask& base, const std::filesystem::path& folder);

}  // namespace fts
