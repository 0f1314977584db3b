#pragma once
// A local Hugging Face model folder: config.json, model.safetensors (or shards model-0000i-of-0000n
// .safetensors listed by model.safetensors.index.json) and tokenizer.model. Loading fills an
// fts::LlamaForTask by parameter name (ours are exactly HF's); saving writes a folder HF loads back.
//
// Torch-free header: the model type is only declared here, so code that merely inspects a folder (the
// GUI's model picker) needs no LibTorch headers. Every error names the file and says what to do.
#include "core/io/SafetensorsTypes.h"
#include "core/io/SafetensorsWriter.h"
#include "core/model/LlamaConfig.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fts {

class LlamaForTask;            // core/model/LlamaModules.h (internal to core/, includes torch)
class Tokenizer;               // core/text/Tokenizer.h

// The files a folder holds, found without reading any weights.
struct HfModelFiles {
  std::filesystem::path folder;
  std::filesystem::path config;                // config.json
  std::filesystem::path tokenizer;             // tokenizer.model or tokenizer.json; empty when none
  std::filesystem::path index;                 // model.safetensors.index.json; empty for one file
  std::vector<std::filesystem::path> weights;  // model.safetensors, or every shard the index names
};

// Throws std::runtime_error naming the folder when there is no config.json or no safetensors weights
// (pickled pytorch_model.bin is refused with a hint: it can execute code).
HfModelFiles findHfModelFiles(const std::filesystem::path& folder);

// <folder>/config.json through LlamaConfig::load (an unsupported model_type is a clear error).
LlamaConfig loadHfConfig(const std::filesystem::path& folder);

// <folder>/tokenizer.model (SentencePiece) or tokenizer.json (WordPiece, byte-level BPE) through
// loadTokenizer. Throws when neither is there or when its tokens do not fit config.vocab_size.
std::unique_ptr<Tokenizer> loadHfTokenizer(const std::filesystem::path& folder, int64_t vocabSize);

struct HfLoadOptions {
  // A base causal LM loaded as a classifier has no score.weight (and a classifier loaded as a causal LM
  // no lm_head.weight): with this set the head keeps its fresh initialisation and is listed in the
  // report; otherwise a missing head is an error like any missing tensor.
  bool allowMissingHead = false;
  // Tensors the module has no place for (e.g. o_proj.bias) are an error unless this is set.
  // Always accepted: rotary_emb.inv_freq (recomputed), the other task's head, a tied lm_head.weight.
  bool allowUnexpected = false;
};

struct HfLoadReport {
  std::vector<std::string> headKeptInitialised;  // head parameters the folder lacked
  std::vector<std::string> unused;               // tensors in the folder the module does not use
  std::set<std::string> storedDtypes;            // e.g. {"BF16"}: converted to the module's dtype
  int64_t tensorsLoaded = 0;
};

// Copies every parameter of `model` from the folder's weights. Each must be present (except the head,
// see HfLoadOptions) with exactly the parameter's shape; F32/BF16/F16/F64 are converted to the
// parameter's dtype. Throws std::runtime_error naming the tensor and the file.
HfLoadReport loadHfWeights(LlamaForTask& model, const HfModelFiles& files, const HfLoadOptions& options = {});

struct HfSaveOptions {
  // 0: one model.safetensors. Otherwise shards of at most this many tensor bytes (a larger tensor gets a
  // shard of its own) plus model.safetensors.index.json, HF's layout; one shard is written unsharded.
  uint64_t maxShardBytes = 0;
  // Floating weights as stored: F32 (default) round-trips exactly; BF16/F16 halve the size.
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  // Added to each weight file's __metadata__ beside {"format": "pt"}, which HF expects.
  SafetensorsMetadata metadata;
};

// Writes config.json (model's config and architecture), the weights and, when `tokenizer` is not null,
// its files (tokenizer.model, or tokenizer.json and tokenizer_config.json) into a temporary sibling folder, fsyncs it, then swaps it in for `folder`: a crash
// leaves the old folder or the new one. Refuses to replace an existing non-empty folder that has no
// config.json (it is not a model folder). Throws std::runtime_error naming the path.
void saveHfModelFolder(const std::filesystem::path& folder, const LlamaForTask& model,
                       const Tokenizer* tokenizer, const HfSaveOptions& options = {});

}  // namespace fts
