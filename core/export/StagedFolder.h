#pragma once
// An output folder that appears under its final name only when complete. Files go into a hidden
// sibling (".NAME.export-tmp-PID-RANDOM"); commit() fsyncs it and swaps it in for the target in one
// rename (renameat2 RENAME_EXCHANGE when the target exists), then removes the old folder. Destroyed
// without commit() (an error, a cancel, a failed verification), it removes the staging folder: a failed
// export leaves nothing under the final name and no stray files beside it.
#include <filesystem>
#include <string>

namespace fts {

class StagedFolder {
 public:
  // Refuses (std::runtime_error naming the folder) a target that exists and is neither a folder that
  // is empty nor one holding `marker` (a file every export writes): the swap replaces the target whole,
  // so it must never take a folder of the user's with it.
  StagedFolder(const std::filesystem::path& target, const std::string& marker);
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;
  ~StagedFolder();

  const std::filesystem::path& path() const { return staging_; }
  const std::filesystem::path& target() const { return target_; }
  void commit();

 private:
  std::filesystem::path target_, staging_;
  bool committed_ = false;
};

}  // namespace fts
