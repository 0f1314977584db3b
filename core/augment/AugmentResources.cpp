#include "core/augment/AugmentResources.h"

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace fts::augment {

std::vector<std::filesystem::path> resourceFolders() {
  namespace fs = std::filesystem;
  std::vector<fs::path> folders;
  if (const char* env = std::getenv("FTSTUDIO_RESOURCES"); env && *env) folders.push_back(fs::path(env) / "augment");
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) folders.push_back(exe.parent_path().parent_path() / "share" / "finetune-studio" / "augment");
#ifdef FTS_INSTALL_DATADIR
  folders.push_back(fs::path(FTS_INSTALL_DATADIR) / "finetune-studio" / "augment");
#endif
#ifdef FTS_SOURCE_RESOURCES
  folders.push_back(fs::path(FTS_SOURCE_RESOURCES) / "augment");
#endif
  return folders;
}

std::filesystem::path findResource(const std::string& name) {
  std::string searched;
  for (const auto& folder : resourceFolders()) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(folder / name, ec)) return folder / name;
    searched += "\n  " + (folder / name).string();
  }
  throw std::runtime_error("augmentation resource " + name + " not found; looked for:" + searched +
                           "\nset FTSTUDIO_RESOURCES to the folder holding augment/" + name);
}

}  // namespace fts::augment
