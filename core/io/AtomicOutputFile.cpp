#include "core/io/AtomicOutputFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdio.h>
#include <random>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace fts {

AtomicOutputFile::AtomicOutputFile(std::filesystem::path finalPath) : final_(std::move(finalPath)) {
  // Same folder as the final name, so rename() never crosses a file system.
  std::random_device rd;
  temp_ = final_.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("cannot create temporary file", temp_);
}

AtomicOutputFile::~AtomicOutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicOutputFile::fail(const std::string& what, const std::filesystem::path& p) {
  const std::string reason = std::strerror(errno);
  throw std::runtime_error(p.string() + ": " + what + ": " + reason +
                           (errno == ENOSPC ? " (free some disk space and try again)" : ""));
}

void AtomicOutputFile::write(std::span<const std::byte> bytes) {
  const std::byte* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    // Linux writes at most about 2 GiB per call; loop over short writes.
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write failed", temp_);
    }
    p += n;
    left -= static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
}

void AtomicOutputFile::write(std::string_view text) {
  write(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

void AtomicOutputFile::commit() {
  if (::fsync(fd_) != 0) fail("fsync failed", temp_);
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail("close failed", temp_);
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), final_.c_str()) != 0) fail("cannot rename the temporary file onto it", final_);
  committed_ = true;
  syncFolder(final_.has_parent_path() ? final_.parent_path() : std::filesystem::path("."));
}

void syncFolder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(folder.string() + ": cannot open folder to fsync it: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error(folder.string() + ": fsync of the folder failed: " + std::strerror(saved));
}

void moveFolderInto(const std::filesystem::path& temp, const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string& what) { throw std::runtime_error(target.string() + ": " + what); };
  if (!fs::exists(target)) {
    if (::rename(temp.c_str(), target.c_str()) != 0) fail(std::string("cannot rename the finished folder into place: ") + std::strerror(errno));
  } else if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(temp);  // now holds the old folder
  } else {
    const fs::path old = temp.string() + ".old";
    if (::rename(target.c_str(), old.c_str()) != 0) fail(std::string("cannot move the old folder aside: ") + std::strerror(errno));
    if (::rename(temp.c_str(), target.c_str()) != 0) {
      const std::string reason = std::strerror(errno);
      ::rename(old.c_str(), target.c_str());
      fail("cannot rename the finished folder into place: " + reason);
    }
    fs::remove_all(old);
  }
  syncFolder(target.parent_path());
}

}  // namespace fts
