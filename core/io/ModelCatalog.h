#pragma once
// The model folders a user has: the shipped base model, what `make models` unpacked, folders under the
// studio home and any folder named in FTSTUDIO_MODELS. Found by their files, described without loading
// any weights (architecture from config.json, parameters from the safetensors headers, tokenizer kind
// from the tokenizer file), so the GUI's model picker and `ftstudio models` list them in milliseconds.
// Torch-free.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fts {

struct ModelFolderInfo {
  std::filesystem::path folder;
  std::string name;           // the folder's name, or its parent's for a "model" folder (projects/base-model/model)
  std::string architecture;   // config.json's architectures[0], else its model_type
  std::string modelType;      // config.json's model_type ("llama", "bert", ...)
  int64_t parameters = 0;     // elements of every tensor in the weights
  std::string tokenizerKind;  // "sentencepiece", "wordpiece", "bpe", "none", or "unsupported: <type>"
  int hiddenSize = 0, layers = 0, heads = 0;
  bool trainable = false;     // the engine can fine-tune it today (a decoder; an encoder for classification or masked LM)
  std::string note;           // why not, or what to know (empty when nothing)
};

// Where folders are looked for, in order: FTSTUDIO_MODELS (colon-separated), ./models, the shipped
// projects/base-model and models/ beside the source tree or the installed share folder (found from
// the running executable), <studioHome>/models. Only folders that exist.
std::vector<std::filesystem::path> modelSearchRoots(const std::filesystem::path& studioHome);

// Describes one folder; throws std::runtime_error naming the folder when it is not a model folder
// (no config.json, or no safetensors weights). countParameters false leaves parameters 0 and opens
// no weight file (the Run settings read a base model's shape on every edit of its path).
ModelFolderInfo describeModelFolder(const std::filesystem::path& folder, bool countParameters = true);

// Every model folder under `roots` (each root itself and two levels below it), each once (by
// canonical path), sorted by name. Folders that fail to describe are skipped.
std::vector<ModelFolderInfo> findModelFolders(const std::vector<std::filesystem::path>& roots);

}  // namespace fts
