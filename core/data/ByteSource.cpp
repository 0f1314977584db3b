#include "core/data/ByteSource.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace fts::data {

ByteSource ByteSource::openFile(const std::filesystem::path& file, std::size_t chunkBytes) {
  ByteSource s;
  s.path_ = file.string();
  s.file_ = std::fopen(s.path_.c_str(), "rb");
  if (!s.file_) throw std::runtime_error(s.path_ + ": cannot open: " + std::strerror(errno));
  s.chunk_ = chunkBytes > 0 ? chunkBytes : kDefaultChunk;
  s.fill();
  return s;
}

ByteSource ByteSource::fromBytes(std::string_view bytes, std::size_t chunkBytes) {
  ByteSource s;
  s.memory_.assign(bytes);
  s.chunk_ = chunkBytes > 0 ? chunkBytes : kDefaultChunk;
  s.fill();
  return s;
}

ByteSource::ByteSource(ByteSource&& o) noexcept { *this = std::move(o); }

ByteSource& ByteSource::operator=(ByteSource&& o) noexcept {
  if (this != &o) {
    if (file_) std::fclose(file_);
    file_ = o.file_;
    o.file_ = nullptr;
    path_ = std::move(o.path_);
    memory_ = std::move(o.memory_);
    memoryPos_ = o.memoryPos_;
    buf_ = std::move(o.buf_);
    capacity_ = o.capacity_;
    begin_ = o.begin_;
    end_ = o.end_;
    chunk_ = o.chunk_;
    offset_ = o.offset_;
    eof_ = o.eof_;
  }
  return *this;
}

ByteSource::~ByteSource() {
  if (file_) std::fclose(file_);
}

void ByteSource::consume(std::size_t n) {
  n = std::min(n, end_ - begin_);
  begin_ += n;
  offset_ += n;
}

bool ByteSource::readMore() {
  if (eof_) return false;
  const std::size_t before = end_ - begin_;  // fill() may slide the window: compare its size
  fill();
  return end_ - begin_ > before;
}

bool ByteSource::ensure(std::size_t n) {
  while (end_ - begin_ < n)
    if (!readMore()) return false;
  return true;
}

void ByteSource::fill() {
  // Slide the unconsumed bytes to the front, then make room for one chunk.
  const std::size_t live = end_ - begin_;
  if (begin_ > 0) {
    if (live > 0) std::memmove(buf_.get(), buf_.get() + begin_, live);
    begin_ = 0;
    end_ = live;
  }
  if (capacity_ - end_ < chunk_) {
    const std::size_t want = std::max(end_ + chunk_, capacity_ + capacity_ / 2);
    std::unique_ptr<char[]> bigger(new char[want]);
    if (end_ > 0) std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    capacity_ = want;
  }
  std::size_t got = 0;
  if (file_) {
    // Keep reading until a whole chunk arrived or the file ended (pipes deliver less at a time).
    while (got < chunk_) {
      const std::size_t n = std::fread(buf_.get() + end_ + got, 1, chunk_ - got, file_);
      got += n;
      if (n == 0) {
        if (std::ferror(file_)) throw std::runtime_error(path_ + ": read error: " + std::strerror(errno));
        eof_ = true;
        break;
      }
    }
  } else {
    got = std::min(chunk_, memory_.size() - memoryPos_);
    std::memcpy(buf_.get() + end_, memory_.data() + memoryPos_, got);
    memoryPos_ += got;
    if (memoryPos_ >= memory_.size()) eof_ = true;
  }
  end_ += got;
}

}  // namespace fts::data
