#include "core/io/BertHfFolder.h"

#include "core/io/AtomicOutputFile.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/TorchTensors.h"
#include "core/model/BertModules.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace fts {
namespace {

enum class Kind { Classifier, MaskedLM, Base };

[[noreturn]] void fail(const fs::path& where, const std::string& what) { throw std::runtime_error(where.string() + ": " + what); }

std::string inQuotes(const std::string& s) { return "'" + s + "'"; }

bool startsWith(const std::string& s, std::string_view head) { return s.compare(0, head.size(), head) == 0; }
bool endsWith(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool isAdapterName(const std::string& name) {
  return name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos;
}

// The head of each kind: what a folder of another task (or a bare encoder) may lack.
bool isHeadName(Kind kind, const std::string& ours) {
  switch (kind) {
    case Kind::Classifier: return startsWith(ours, "classifier.") || startsWith(ours, "bert.pooler.");
    case Kind::MaskedLM: return startsWith(ours, "cls.");
    case Kind::Base: return startsWith(ours, "pooler.");
  }
  return false;
}

// Tensors a folder may hold that this kind has no place for, without it being a mistake: a buffer HF
// once saved, the tied decoder's copies, the heads of other tasks.
bool isHarmlessExtra(Kind kind, const std::string& name) {
  if (endsWith(name, "embeddings.position_ids") || endsWith(name, "embeddings.token_type_ids")) return true;
  if (startsWith(name, "cls.predictions.decoder.")) return true;
  if (startsWith(name, "cls.seq_relationship.")) return true;  // BertForPreTraining's next-sentence head
  if (kind != Kind::MaskedLM && startsWith(name, "cls.")) return true;
  if (kind != Kind::Classifier && startsWith(name, "classifier.")) return true;
  if (kind == Kind::MaskedLM && (startsWith(name, "bert.pooler.") || startsWith(name, "pooler."))) return true;
  return false;
}

// TensorFlow-converted checkpoints: "LayerNorm.gamma" / "LayerNorm.beta" for weight / bias.
std::string legacyLayerNormName(const std::string& name) {
  if (endsWith(name, "LayerNorm.weight")) return name.substr(0, name.size() - 6) + "gamma";
  if (endsWith(name, "LayerNorm.bias")) return name.substr(0, name.size() - 4) + "beta";
  return {};
}

BertLoadReport loadInto(torch::nn::Module& model, Kind kind, const HfModelFiles& files, const HfLoadOptions& options) {
  std::vector<SafetensorsReader> readers;
  readers.reserve(files.weights.size());
  for (const auto& w : files.weights) readers.emplace_back(w);
  struct Source {
    size_t reader;
    const SafetensorsEntry* entry;
  };
  std::map<std::string, Source> byName;
  for (size_t r = 0; r < readers.size(); ++r)
    for (const auto& e : readers[r].entries()) {
      auto [it, fresh] = byName.emplace(e.name, Source{r, &e});
      if (!fresh)
        fail(readers[r].path(), "tensor " + inQuotes(e.name) + " is also in " + readers[it->second.reader].path().string() +
                                    ": the shards disagree; copy the model folder again");
    }
  const fs::path described = files.index.empty() ? (files.weights.empty() ? files.folder : files.weights.front()) : files.index;

  // Which naming the folder uses: "bert."-prefixed (HF's task models) or bare (a BertModel, as
  // sentence-transformers saves it). Decided once from the word embeddings.
  BertLoadReport report;
  const bool filePrefixed = byName.count("bert.embeddings.word_embeddings.weight") > 0;
  const bool fileBare = byName.count("embeddings.word_embeddings.weight") > 0;
  if (!filePrefixed && !fileBare)
    fail(described, "has no word embeddings (neither 'bert.embeddings.word_embeddings.weight' nor "
                    "'embeddings.word_embeddings.weight'): it is not a BERT checkpoint");
  report.bareNames = !filePrefixed;
  const bool oursPrefixed = kind != Kind::Base;
  auto fileNameOf = [&](const std::string& ours) {
    if (oursPrefixed && !filePrefixed && startsWith(ours, "bert.")) return ours.substr(5);
    if (!oursPrefixed && filePrefixed) return "bert." + ours;  // a bare BertModel from a task model's folder
    return ours;
  };

  // Validate everything before touching the model, so a failed load leaves it as it was.
  struct Assignment {
    torch::Tensor param;
    Source source;
  };
  std::vector<Assignment> plan;
  std::set<std::string> used;
  for (auto& item : model.named_parameters(/*recurse=*/true)) {
    const std::string& ours = item.key();
    if (isAdapterName(ours)) continue;  // LoRA adapters are not part of an HF model folder
    std::string name = fileNameOf(ours);
    auto it = byName.find(name);
    if (it == byName.end()) {
      const std::string legacy = legacyLayerNormName(name);
      if (!legacy.empty() && byName.count(legacy)) it = byName.find(name = legacy);
    }
    if (it == byName.end()) {
      if (isHeadName(kind, ours) && options.allowMissingHead) {
        report.headKeptInitialised.push_back(ours);
        continue;
      }
      fail(described, "has no tensor " + inQuotes(name) + " (shape " + shapeString(item.value().sizes().vec()) +
                          ") that the model needs: the weights do not match config.json" +
                          (isHeadName(kind, ours) ? " (or they are for another task: load with a fresh head)" : ""));
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

  std::vector<std::string> unexpected;
  for (const auto& [name, src] : byName) {
    if (used.count(name)) continue;
    if (isHarmlessExtra(kind, name) || options.allowUnexpected)
      report.unused.push_back(name);
    else
      unexpected.push_back(name);
  }
  if (!unexpected.empty()) {
    std::string list;
    for (size_t i = 0; i < unexpected.size() && i < 5; ++i) list += (i ? ", " : "") + inQuotes(unexpected[i]);
    if (unexpected.size() > 5) list += " and " + std::to_string(unexpected.size() - 5) + " more";
    fail(described, "holds tensors this BERT model has no place for: " + list +
                        ". Check config.json (num_hidden_layers, position_embedding_type); an architecture with "
                        "extra weights is not supported");
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

void saveFolder(const fs::path& folder, const torch::nn::Module& model, const BertConfig& config, const std::string& architecture,
                const HfSaveOptions& options, const std::vector<fs::path>& extraFiles) {
  if (options.maxShardBytes != 0)
    throw std::invalid_argument("saveBertHfFolder: sharded BERT folders are not written (maxShardBytes must be 0)");
  fs::path target = fs::absolute(folder).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  if (fs::exists(target)) {
    if (!fs::is_directory(target)) fail(target, "exists and is not a folder: choose a folder to save the model in");
    if (!fs::is_empty(target) && !fs::exists(target / "config.json"))
      fail(target, "exists, is not empty and is not a model folder (no config.json): it would be replaced "
                   "as a whole, so choose a new or empty folder");
  }
  for (const auto& f : extraFiles)
    if (!fs::is_regular_file(f)) fail(f, "is not a file: it cannot be copied into the model folder");
  fs::create_directories(target.parent_path());

  std::vector<TensorForWrite> tensors;  // the views point into these tensors
  for (const auto& item : model.named_parameters(/*recurse=*/true))
    if (!isAdapterName(item.key())) tensors.push_back(prepareForWrite(item.key(), item.value(), options.dtype));
  std::vector<TensorView> views;
  for (const auto& t : tensors) views.push_back(t.view);

  SafetensorsMetadata metadata = options.metadata;
  metadata["format"] = "pt";
  auto json = nlohmann::ordered_json::parse(config.toJson(architecture));
  const SafetensorsDtype d = options.dtype;
  json["torch_dtype"] = d == SafetensorsDtype::BF16 ? "bfloat16" : d == SafetensorsDtype::F16 ? "float16" : "float32";

  std::random_device rd;
  const fs::path temp = target.parent_path() / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                                std::to_string(rd()));
  if (!fs::create_directory(temp)) fail(temp, "cannot create the temporary folder");
  try {
    {
      AtomicOutputFile out(temp / "config.json");
      out.write(json.dump(2) + "\n");
      out.commit();
    }
    writeSafetensors(temp / "model.safetensors", views, metadata);
    for (const auto& f : extraFiles) {
      if (f.filename() == "config.json" || f.filename() == "model.safetensors") continue;  // ours win
      AtomicOutputFile out(temp / f.filename());
      out.write(readWholeFile(f));
      out.commit();
    }
    syncFolder(temp);
    moveFolderInto(temp, target);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw;
  }
}

}  // namespace

bool isBertHfFolder(const fs::path& folder) {
  const fs::path config = folder / "config.json";
  if (!fs::is_regular_file(config)) return false;
  try {
    return BertConfig::modelTypeOf(readWholeFile(config), config.string()) == "bert";
  } catch (const std::exception&) {
    return false;
  }
}

BertConfig loadBertHfConfig(const fs::path& folder) {
  const fs::path config = folder / "config.json";
  if (!fs::is_regular_file(config))
    fail(folder, "has no config.json: a Hugging Face model folder holds config.json and model.safetensors");
  return BertConfig::load(config);
}

BertLoadReport loadBertHfWeights(BertForSequenceClassification& model, const HfModelFiles& files, const HfLoadOptions& options) {
  return loadInto(*model, Kind::Classifier, files, options);
}
BertLoadReport loadBertHfWeights(BertForMaskedLM& model, const HfModelFiles& files, const HfLoadOptions& options) {
  return loadInto(*model, Kind::MaskedLM, files, options);
}
BertLoadReport loadBertHfWeights(BertModel& model, const HfModelFiles& files, const HfLoadOptions& options) {
  return loadInto(*model, Kind::Base, files, options);
}

void saveBertHfFolder(const fs::path& folder, const BertForSequenceClassification& model, const HfSaveOptions& options,
                      const std::vector<fs::path>& extraFiles) {
  saveFolder(folder, *model, model->bert->config, model->architecture(), options, extraFiles);
}
void saveBertHfFolder(const fs::path& folder, const BertForMaskedLM& model, const HfSaveOptions& options,
                      const std::vector<fs::path>& extraFiles) {
  saveFolder(folder, *model, model->bert->config, model->architecture(), options, extraFiles);
}
void saveBertHfFolder(const fs::path& folder, const BertModel& model, const HfSaveOptions& options,
                      const std::vector<fs::path>& extraFiles) {
  saveFolder(folder, *model, model->config, "BertModel", options, extraFiles);
}

}  // namespace fts
