#include "core/runs/RunPaths.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <random>
#include <stdexcept>

namespace fts {

std::filesystem::path studioHome() {
  if (const char* h = std::getenv("FTSTUDIO_HOME"); h && *h) return h;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::filesystem::path(x) / "finetune-studio";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".local" / "share" / "finetune-studio";
  return std::filesystem::temp_directory_path() / "finetune-studio";
}

std::filesystem::path createRunDir(const std::filesystem::path& home, std::string* runIdOut) {
  const auto runs = home / "runs";
  std::filesystem::create_directories(runs);
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "%04x", rd() & 0xffff);
    const std::string id = std::string(stamp) + "-" + suffix;
    const auto dir = runs / id;
    if (std::filesystem::create_directory(dir)) {
      if (runIdOut) *runIdOut = id;
      return dir;
    }
  }
  throw std::runtime_error("cannot create a run folder under " + runs.string());
}

}  // namespace fts
