#include "app/cli/CliModels.h"

#include "core/io/ModelCatalog.h"
#include "core/runs/RunPaths.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace fts::cli {
namespace {

struct ModelsArgs {
  std::vector<std::string> dirs;
  bool json = false;
};

// "22.7M", "135M", "5.3M", "812K".
std::string humanCount(int64_t n) {
  char buf[32];
  if (n >= 1000000000) std::snprintf(buf, sizeof buf, "%.1fB", n / 1e9);
  else if (n >= 100000000) std::snprintf(buf, sizeof buf, "%.0fM", n / 1e6);
  else if (n >= 1000000) std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
  else std::snprintf(buf, sizeof buf, "%.0fK", n / 1e3);
  return buf;
}

int runModels(const ModelsArgs& a) {
  std::vector<ModelFolderInfo> models;
  std::vector<std::filesystem::path> roots;
  if (a.dirs.empty()) {
    roots = modelSearchRoots(studioHome());
    models = findModelFolders(roots);
  } else {
    // Named folders: each a model folder (described, or why not: exit 2) or a folder of them.
    for (const auto& d : a.dirs) {
      if (!std::filesystem::is_directory(d)) {
        std::fprintf(stderr, "ftstudio models: %s: no such folder\n", d.c_str());
        return 2;
      }
      if (std::filesystem::exists(std::filesystem::path(d) / "config.json")) {
        try {
          models.push_back(describeModelFolder(std::filesystem::absolute(d).lexically_normal()));
        } catch (const std::exception& e) {
          std::fprintf(stderr, "ftstudio models: %s\n", e.what());
          return 2;
        }
      } else {
        roots.push_back(std::filesystem::absolute(d).lexically_normal());
        const auto found = findModelFolders({roots.back()});
        models.insert(models.end(), found.begin(), found.end());
      }
    }
  }
  if (a.json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& m : models) {
      nlohmann::ordered_json o;
      o["path"] = m.folder.string();
      o["name"] = m.name;
      o["architecture"] = m.architecture;
      o["model_type"] = m.modelType;
      o["parameters"] = m.parameters;
      o["tokenizer"] = m.tokenizerKind;
      o["hidden_size"] = m.hiddenSize;
      o["layers"] = m.layers;
      o["trainable"] = m.trainable;
      if (!m.note.empty()) o["note"] = m.note;
      j.push_back(o);
    }
    std::cout << j.dump() << std::endl;
    return 0;
  }
  if (models.empty()) {
    std::printf("no model folders found; looked in:\n");
    for (const auto& r : roots) std::printf("  %s\n", r.c_str());
    std::printf("`make models` brings real pretrained models; FTSTUDIO_MODELS=DIR:DIR adds folders\n");
    return 0;
  }
  std::printf("%-24s %-32s %8s %-14s %s\n", "NAME", "ARCHITECTURE", "PARAMS", "TOKENIZER", "PATH");
  for (const auto& m : models) {
    std::printf("%-24s %-32s %8s %-14s %s\n", m.name.c_str(), m.architecture.c_str(), humanCount(m.parameters).c_str(),
                m.tokenizerKind.c_str(), m.folder.c_str());
    if (!m.note.empty()) std::printf("%-24s note: %s\n", "", m.note.c_str());
  }
  return 0;
}

}  // namespace

void addModelsCommand(CLI::App& app, int& exitCode) {
  auto args = std::make_shared<ModelsArgs>();
  auto* cmd = app.add_subcommand("models", "List the model folders found (architecture, parameters, tokenizer kind)");
  cmd->add_option("dirs", args->dirs, "Model folders, or folders holding them (default: the usual places)");
  cmd->add_flag("--json", args->json, "One JSON array of {path, name, architecture, parameters, tokenizer, ...}");
  cmd->callback([args, &exitCode] { exitCode = runModels(*args); });
}

}  // namespace fts::cli
