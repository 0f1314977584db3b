#include "core/io/ModelCatalog.h"

#include "core/io/SafetensorsReader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace fts {
namespace fs = std::filesystem;
namespace {

nlohmann::json readJson(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file.string() + ": is not valid JSON (" + e.what() + ")");
  }
}

bool isModelFolder(const fs::path& f) {
  std::error_code ec;
  return fs::is_regular_file(f / "config.json", ec) &&
         (fs::is_regular_file(f / "model.safetensors", ec) || fs::is_regular_file(f / "model.safetensors.index.json", ec));
}

std::vector<fs::path> weightFiles(const fs::path& folder) {
  if (fs::is_regular_file(folder / "model.safetensors")) return {folder / "model.safetensors"};
  std::set<std::string> shards;
  const nlohmann::json index = readJson(folder / "model.safetensors.index.json");
  if (index.contains("weight_map") && index["weight_map"].is_object())
    for (const auto& [name, file] : index["weight_map"].items())
      if (file.is_string()) shards.insert(file.get<std::string>());
  std::vector<fs::path> files;
  for (const auto& s : shards) files.push_back(folder / s);
  return files;
}

// The tokenizer kind from the file alone: tokenizer.model is SentencePiece; tokenizer.json says its
// model.type (only the type is read, the vocabulary is not built).
std::string tokenizerKindOf(const fs::path& folder) {
  if (fs::is_regular_file(folder / "tokenizer.model")) return "sentencepiece";
  if (!fs::is_regular_file(folder / "tokenizer.json")) return "none";
  const nlohmann::json j = readJson(folder / "tokenizer.json");
  const std::string type = j.contains("model") && j["model"].is_object() && j["model"].contains("type") && j["model"]["type"].is_string()
                               ? j["model"]["type"].get<std::string>()
                               : std::string();
  if (type == "WordPiece") return "wordpiece";
  if (type == "BPE") return "bpe";
  return "unsupported: " + (type.empty() ? std::string("no model.type") : type);
}

fs::path executableDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::vector<fs::path> modelSearchRoots(const fs::path& studioHome) {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("FTSTUDIO_MODELS")) {
    std::stringstream list(env);
    for (std::string item; std::getline(list, item, ':');)
      if (!item.empty()) candidates.emplace_back(item);
  }
  candidates.push_back(fs::current_path() / "models");
  const fs::path exe = executableDir();
  if (!exe.empty()) {
    // build/bin/ftstudio in a checkout; /usr/bin/ftstudio with /usr/share/finetune-studio installed.
    for (const fs::path& root : {exe / ".." / "..", exe / ".." / "share" / "finetune-studio"}) {
      candidates.push_back(root / "projects" / "base-model");
      candidates.push_back(root / "models");
    }
  }
  if (!studioHome.empty()) candidates.push_back(studioHome / "models");

  std::vector<fs::path> roots;
  std::set<fs::path> seen;
  for (const auto& c : candidates) {
    std::error_code ec;
    const fs::path canon = fs::weakly_canonical(c, ec);
    if (ec || !fs::is_directory(canon, ec) || !seen.insert(canon).second) continue;
    roots.push_back(canon);
  }
  return roots;
}

ModelFolderInfo describeModelFolder(const fs::path& folder, bool countParameters) {
  if (!isModelFolder(folder))
    throw std::runtime_error(folder.string() + ": is not a model folder (it needs config.json and model.safetensors "
                             "or model.safetensors.index.json)");
  ModelFolderInfo info;
  info.folder = folder;
  info.name = folder.filename() == "model" && folder.has_parent_path() ? folder.parent_path().filename().string()
                                                                       : folder.filename().string();
  const nlohmann::json config = readJson(folder / "config.json");
  info.modelType = config.value("model_type", std::string());
  if (config.contains("architectures") && config["architectures"].is_array() && !config["architectures"].empty() &&
      config["architectures"][0].is_string())
    info.architecture = config["architectures"][0].get<std::string>();
  else
    info.architecture = info.modelType;
  info.hiddenSize = config.value("hidden_size", 0);
  info.layers = config.value("num_hidden_layers", 0);
  info.heads = config.value("num_attention_heads", 0);
  for (const auto& file : countParameters ? weightFiles(folder) : std::vector<fs::path>{}) {
    const SafetensorsReader reader(file);  // maps the file and parses the header only
    for (const auto& e : reader.entries()) {
      int64_t n = 1;
      for (const int64_t d : e.shape) n *= d;
      info.parameters += n;
    }
  }
  info.tokenizerKind = tokenizerKindOf(folder);

  const bool llama = info.modelType == "llama" || info.modelType == "qwen2" || info.modelType == "mistral";
  const bool bert = info.modelType == "bert";
  const bool tokenizerOk = info.tokenizerKind == "sentencepiece" || info.tokenizerKind == "bpe" || info.tokenizerKind == "wordpiece";
  info.trainable = (llama || bert) && tokenizerOk;
  if (!llama && !bert)
    info.note = "model_type '" + info.modelType + "' cannot be fine-tuned (the engine trains Llama-family decoders and BERT encoders)";
  else if (!tokenizerOk)
    info.note = "tokenizer " + info.tokenizerKind + " is not supported";
  else if (bert)
    info.note = "encoder: classification, or masked-LM pretraining (--task mlm)";
  return info;
}

std::vector<ModelFolderInfo> findModelFolders(const std::vector<fs::path>& roots) {
  std::vector<ModelFolderInfo> found;
  std::set<fs::path> seen;
  auto consider = [&](const fs::path& f) {
    std::error_code ec;
    if (!isModelFolder(f)) return;
    const fs::path canon = fs::weakly_canonical(f, ec);
    if (ec || !seen.insert(canon).second) return;
    try {
      found.push_back(describeModelFolder(canon));
    } catch (const std::exception&) {
      // A broken folder is not a model the user can pick; `ftstudio models DIR` says why.
    }
  };
  for (const auto& root : roots) {
    consider(root);
    std::error_code ec;
    for (fs::directory_iterator a(root, ec), end; !ec && a != end; a.increment(ec)) {
      if (!a->is_directory(ec)) continue;
      consider(a->path());
      std::error_code ec2;
      for (fs::directory_iterator b(a->path(), ec2); !ec2 && b != end; b.increment(ec2))
        if (b->is_directory(ec2)) consider(b->path());
    }
  }
  std::sort(found.begin(), found.end(), [](const ModelFolderInfo& x, const ModelFolderInfo& y) {
    return x.name != y.name ? x.name < y.name : x.folder < y.folder;
  });
  return found;
}

}  // namespace fts
