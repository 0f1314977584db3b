#include "core/export/StagedFolder.h"

#include "core/io/AtomicOutputFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace fts {

StagedFolder::StagedFolder(const fs::path& target, const std::string& marker) {
  target_ = fs::absolute(target).lexically_normal();
  if (target_.filename().empty()) target_ = target_.parent_path();
  if (fs::exists(target_)) {
    if (!fs::is_directory(target_)) throw std::runtime_error(target_.string() + ": exists and is not a folder: choose a folder for the export");
    if (!fs::is_empty(target_) && !fs::exists(target_ / marker))
      throw std::runtime_error(target_.string() + ": exists, is not empty and is not an earlier export (no " + marker +
                               "): the export replaces its folder whole, so choose a new or empty folder");
  }
  fs::create_directories(target_.parent_path());
  std::random_device rd;
  staging_ = target_.parent_path() /
             ("." + target_.filename().string() + ".export-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  if (!fs::create_directory(staging_)) throw std::runtime_error(staging_.string() + ": cannot create the staging folder (it exists)");
}

StagedFolder::~StagedFolder() {
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

void StagedFolder::commit() {
  for (const auto& e : fs::recursive_directory_iterator(staging_))
    if (e.is_directory()) syncFolder(e.path());
  syncFolder(staging_);
  if (!fs::exists(target_)) {
    if (::rename(staging_.c_str(), target_.c_str()) != 0)
      throw std::runtime_error(target_.string() + ": cannot rename the finished export into place: " + std::strerror(errno));
  } else if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(staging_);  // now holds the previous export
  } else {
    // No atomic exchange on this file system: move the old one aside first. A crash in between leaves
    // both folders whole, the new one under the staging name.
    const fs::path old = staging_.string() + ".old";
    if (::rename(target_.c_str(), old.c_str()) != 0)
      throw std::runtime_error(target_.string() + ": cannot move the previous export aside: " + std::strerror(errno));
    if (::rename(staging_.c_str(), target_.c_str()) != 0) {
      const std::string reason = std::strerror(errno);
      ::rename(old.c_str(), target_.c_str());
      throw std::runtime_error(target_.string() + ": cannot rename the finished export into place: " + reason);
    }
    fs::remove_all(old);
  }
  committed_ = true;
  syncFolder(target_.parent_path());
}

}  // namespace fts
