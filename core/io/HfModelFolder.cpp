#include "core/io/HfModelFolder.h"

#include "core/io/AtomicOutputFile.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/TorchTensors.h"
#include "core/model/LlamaModules.h"
#include "core/text/Tokenizer.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace fts {
namespace {

// LoRA adapters hang under their projections ("...q_proj.lora_A.weight"); an HF folder holds the
// base (or merged) weights only, and a PEFT export writes the adapters.
bool isAdapterName(const std::string& name) { return name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos; }


constexpr const char* kConfig = "config.json";
constexpr const char* kWeights = "model.safetensors";
constexpr const char* kIndex = "model.safetensors.index.json";

[[noreturn]] void fail(const fs::path& where, const std::string& what) {
  throw std::runtime_error(where.string() + ": " + what);
}

std::string inQuotes(const std::string& s) { return "'" + s + "'"; }

// model.safetensors.index.json: {"metadata": {...}, "weight_map": {"tensor name": "shard file", ...}}
std::map<std::string, std::string> readWeightMap(const fs::path& index) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(readWholeFile(index));
  } catch (const nlohmann::json::exception& e) {
    fail(index, std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
    fail(index, "has no \"weight_map\" object: it is not a safetensors index");
  std::map<std::string, std::string> map;
  for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
    if (!it.value().is_string()) fail(index, "weight_map entry " + inQuotes(it.key()) + " is not a file name");
    const std::string file = it.value().get<std::string>();
    // Only plain names inside the folder: an index must not reach files elsewhere.
    if (file.empty() || fs::path(file).filename().string() != file || file == "." || file == "..")
      fail(index, "weight_map entry " + inQuotes(it.key()) + " names " + inQuotes(file) +
                      ", which is not a file name inside the folder");
    map[it.key()] = file;
  }
  return map;
}

bool isHeadName(const std::string& name) { return name == "lm_head.weight" || name == "score.weight"; }

bool endsWith(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

HfModelFiles findHfModelFiles(const fs::path& folder) {
  if (!fs::is_directory(folder)) fail(folder, "is not a folder: choose a Hugging Face model folder");
  HfModelFiles f;
  f.folder = folder;
  f.config = folder / kConfig;
  if (!fs::is_regular_file(f.config))
    fail(folder, "has no config.json: a Hugging Face model folder holds config.json, model.safetensors and tokenizer.model");
  f.tokenizer = findTokenizerFile(folder);

  // HF's own preference: a single model.safetensors wins over an index.
  if (fs::is_regular_file(folder / kWeights)) {
    f.weights.push_back(folder / kWeights);
  } else if (fs::is_regular_file(folder / kIndex)) {
    f.index = folder / kIndex;
    std::set<std::string> shards;
    for (const auto& [name, file] : readWeightMap(f.index)) shards.insert(file);
    if (shards.empty()) fail(f.index, "lists no tensors");
    for (const auto& s : shards) {
      if (!fs::is_regular_file(folder / s))
        fail(f.index, "names shard " + inQuotes(s) + ", which is missing from the folder: copy the whole model folder");
      f.weights.push_back(folder / s);
    }
  } else if (fs::exists(folder / "pytorch_model.bin") || fs::exists(folder / "pytorch_model.bin.index.json")) {
    fail(folder, "holds only pickled PyTorch weights (pytorch_model.bin), which can run code when loaded and are "
                 "not read here: convert them in Python with model.save_pretrained(folder, safe_serialization=True)");
  } else {
    fail(folder, "has no model.safetensors and no model.safetensors.index.json: it holds no weights we can load");
  }
  return f;
}

LlamaConfig loadHfConfig(const fs::path& folder) {
  const fs::path config = folder / kConfig;
  if (!fs::is_regular_file(config))
    fail(folder, "has no config.json: a Hugging Face model folder holds config.json, model.safetensors and tokenizer.model");
  return LlamaConfig::load(config);
}

std::unique_ptr<Tokenizer> loadHfTokenizer(const fs::path& folder, int64_t vocabSize) {
  const fs::path file = findTokenizerFile(folder);
  if (file.empty())
    fail(folder, "has no tokenizer.model and no tokenizer.json: copy the tokenizer files of this model into the folder");
  auto tok = loadTokenizer(file);
  // Embedding tables are often padded past the vocabulary (to a multiple of 64); never the other way.
  if (tok->vocabSize() > vocabSize)
    fail(file, "has " + std::to_string(tok->vocabSize()) + " tokens but config.json's vocab_size is " +
                   std::to_string(vocabSize) + ": the tokenizer belongs to another model");
  return tok;
}

HfLoadReport loadHfWeights(LlamaForTask& model, const HfModelFiles& files, const HfLoadOptions& options) {
  // Where each tensor lives. Readers map their files; views stay valid while they live.
  std::vector<SafetensorsReader> readers;
  readers.reserve(files.weights.size());
  for (const auto& w : files.weights) readers.emplace_back(w);
  struct Source {
    size_t reader;
    const SafetensorsEntry* entry;
  };
  std::map<std::string, Source> byName;
  for (size_t r = 0; r < readers.size(); ++r) {
    for (const auto& e : readers[r].entries()) {
      auto [it, fresh] = byName.emplace(e.name, Source{r, &e});
      if (!fresh)
        fail(readers[r].path(), "tensor " + inQuotes(e.name) + " is also in " + readers[it->second.reader].path().string() +
                                    ": the shards disagree; copy the model folder again");
    }
  }
  const fs::path described = files.index.empty() ? (files.weights.empty() ? files.folder : files.weights.front()) : files.index;
  if (!files.index.empty()) {
    for (const auto& [name, file] : readWeightMap(files.index)) {
      auto it = byName.find(name);
      if (it == byName.end())
        fail(files.index, "lists tensor " + inQuotes(name) + " in " + inQuotes(file) + ", but no shard holds it");
      const std::string actual = readers[it->second.reader].path().filename().string();
      if (actual != file)
        fail(files.index, "lists tensor " + inQuotes(name) + " in " + inQuotes(file) + ", but it is in " + inQuotes(actual));
    }
  }

  // Validate everything before touching the model, so a failed load leaves it as it was.
  HfLoadReport report;
  struct Assignment {
    torch::Tensor param;
    Source source;
  };
  std::vector<Assignment> plan;
  std::set<std::string> used;
  for (auto& item : model->named_parameters(/*recurse=*/true)) {
    const std::string& name = item.key();
    if (isAdapterName(name)) continue;  // LoRA adapters are not part of an HF model folder
    auto it = byName.find(name);
    if (it == byName.end()) {
      if (isHeadName(name) && options.allowMissingHead) {
        report.headKeptInitialised.push_back(name);
        continue;
      }
      fail(described, "has no tensor " + inQuotes(name) + " (shape " + shapeString(item.value().sizes().vec()) +
                          ") that the model needs: the weights do not match config.json" +
                          (isHeadName(name) ? " (or they are for the other task: load with a fresh head)" : ""));
    }
    const auto& e = *it->second.entry;
    const fs::path& file = readers[it->second.reader].path();
    if (e.shape != item.value().sizes().vec())
      fail(file, "tensor " + inQuotes(name) + " has shape " + shapeString(e.shape) + " but config.json implies " +
                     shapeString(item.value().sizes().vec()) + ": the weights do not match config.json");
    if (e.dtype != SafetensorsDtype::F32 && e.dtype != SafetensorsDtype::BF16 && e.dtype != SafetensorsDtype::F16 &&
        e.dtype != SafetensorsDtype::F64)
      fail(file, "tensor " + inQuotes(name) + " is stored as " + std::string(dtypeName(e.dtype)) +
                     ", not a floating type: quantized weights are not supported; use an F32/BF16/F16 export");
    used.insert(name);
    plan.push_back({item.value(), it->second});
  }

  const bool tied = model->model->config.tie_word_embeddings;
  const bool causal = model->kind == HeadKind::CausalLM;
  std::vector<std::string> unexpected;
  for (const auto& [name, src] : byName) {
    if (used.count(name)) continue;
    if (endsWith(name, "rotary_emb.inv_freq")) continue;  // a cache HF once saved; we recompute it
    const bool otherHead = (causal && name == "score.weight") || (!causal && name == "lm_head.weight");
    const bool tiedCopy = tied && name == "lm_head.weight";
    if (otherHead || tiedCopy || options.allowUnexpected)
      report.unused.push_back(name);
    else
      unexpected.push_back(name);
  }
  if (!unexpected.empty()) {
    std::string list;
    for (size_t i = 0; i < unexpected.size() && i < 5; ++i) list += (i ? ", " : "") + inQuotes(unexpected[i]);
    if (unexpected.size() > 5) list += " and " + std::to_string(unexpected.size() - 5) + " more";
    fail(described, "holds tensors this Llama model has no place for: " + list +
                        ". Check config.json (num_hidden_layers, attention_bias, tie_word_embeddings); an "
                        "architecture with extra weights is not supported");
  }

  torch::NoGradGuard noGrad;
  for (auto& a : plan) {
    const TensorView view = readers[a.source.reader].view(*a.source.entry);
    a.param.copy_(tensorFromView(view));  // converts BF16/F16/F64 to the parameter's dtype
    report.storedDtypes.insert(std::string(dtypeName(view.dtype)));
    ++report.tensorsLoaded;
  }
  return report;
}

namespace {

void writeSmallFile(const fs::path& path, std::string_view bytes) {
  AtomicOutputFile out(path);
  out.write(bytes);
  out.commit();
}

std::string shardName(size_t i, size_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", i + 1, n);
  return buf;
}

}  // namespace

void saveHfModelFolder(const fs::path& folder, const LlamaForTask& model, const Tokenizer* tokenizer,
                       const HfSaveOptions& options) {
  fs::path target = fs::absolute(folder).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  if (fs::exists(target)) {
    if (!fs::is_directory(target)) fail(target, "exists and is not a folder: choose a folder to save the model in");
    if (!fs::is_empty(target) && !fs::exists(target / kConfig))
      fail(target, "exists, is not empty and is not a model folder (no config.json): it would be replaced "
                   "as a whole, so choose a new or empty folder");
  }
  fs::create_directories(target.parent_path());

  // Every parameter, CPU-contiguous in the stored dtype; the views point into these tensors.
  std::vector<TensorForWrite> tensors;
  for (const auto& item : model->named_parameters(/*recurse=*/true))
    if (!isAdapterName(item.key())) tensors.push_back(prepareForWrite(item.key(), item.value(), options.dtype));
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorForWrite& a, const TensorForWrite& b) { return a.view.name < b.view.name; });

  // Shards in name order, each closed before it would pass maxShardBytes.
  std::vector<std::vector<TensorView>> shards(1);
  uint64_t shardBytes = 0, totalBytes = 0;
  for (const auto& t : tensors) {
    const uint64_t n = t.view.bytes.size();
    if (options.maxShardBytes > 0 && !shards.back().empty() && shardBytes + n > options.maxShardBytes) {
      shards.emplace_back();
      shardBytes = 0;
    }
    shards.back().push_back(t.view);
    shardBytes += n;
    totalBytes += n;
  }

  SafetensorsMetadata metadata = options.metadata;
  metadata["format"] = "pt";
  auto config = nlohmann::ordered_json::parse(model->model->config.toJson(model->architecture()));
  const SafetensorsDtype d = options.dtype;
  config["torch_dtype"] = d == SafetensorsDtype::BF16 ? "bfloat16" : d == SafetensorsDtype::F16 ? "float16" : "float32";

  std::random_device rd;
  const fs::path temp = target.parent_path() / ("." + target.filename().string() + ".tmp-" +
                                                std::to_string(::getpid()) + "-" + std::to_string(rd()));
  if (!fs::create_directory(temp)) fail(temp, "cannot create the temporary folder");
  try {
    writeSmallFile(temp / kConfig, config.dump(2) + "\n");
    if (shards.size() == 1) {
      writeSafetensors(temp / kWeights, shards.front(), metadata);
    } else {
      nlohmann::ordered_json index;
      index["metadata"] = {{"total_size", totalBytes}};
      nlohmann::json weightMap = nlohmann::json::object();  // sorted by name
      for (size_t i = 0; i < shards.size(); ++i) {
        const std::string name = shardName(i, shards.size());
        writeSafetensors(temp / name, shards[i], metadata);
        for (const auto& v : shards[i]) weightMap[v.name] = name;
      }
      index["weight_map"] = weightMap;
      writeSmallFile(temp / kIndex, index.dump(2) + "\n");
    }
    if (tokenizer) tokenizer->saveFiles(temp);
    syncFolder(temp);
    moveFolderInto(temp, target);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw;
  }
}

}  // namespace fts
