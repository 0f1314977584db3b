#pragma once
// A file written in pieces that appears under its final name only when complete: bytes go to a
// temporary name in the same folder, commit() fsyncs, renames over the final name and fsyncs the
// folder. Destroyed without commit() (an exception, a cancel), it removes the temporary file.
// core/util/AtomicFile.h does the same for a string already in memory; this streams, so a
// multi-gigabyte safetensors file never needs a second copy in memory.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace fts {

class AtomicOutputFile {
 public:
  // Throws std::runtime_error naming the path when the temporary file cannot be created.
  explicit AtomicOutputFile(std::filesystem::path finalPath);
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;
  ~AtomicOutputFile();

  void write(std::span<const std::byte> bytes);
  void write(std::string_view text);
  uint64_t bytesWritten() const { return written_; }
  void commit();

 private:
  [[noreturn]] void fail(const std::string& what, const std::filesystem::path& p);
  std::filesystem::path final_, temp_;
  int fd_ = -1;
  uint64_t written_ = 0;
  bool committed_ = false;
};

// fsync a folder so renames and new entries inside it survive a crash. Throws naming the folder.
void syncFolder(const std::filesystem::path& folder);

// Swaps the finished, synced folder `temp` in for `target` (a sibling). With an existing target,
// renameat2's exchange makes the swap one atomic step; file systems without it get two renames (a
// crash between them leaves the new folder under the temporary name and the old one beside it, both
// whole). Throws std::runtime_error naming the target.
void moveFolderInto(const std::filesystem::path& temp, const std::filesystem::path& target);

}  // namespace fts
