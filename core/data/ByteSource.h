#pragma once
// A file read in chunks into one window of contiguous bytes, so parsers see whole records without
// holding the whole file: memory stays at the largest record plus one chunk, whatever the file size.
//
// Parsers look at window(), call consume(n) for the bytes they are done with, and call readMore()
// when a record runs past the window's end. readMore() may move the window: offsets into it stay
// valid, pointers and string_views do not.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace fts::data {

class ByteSource {
 public:
  static constexpr std::size_t kDefaultChunk = 1u << 20;

  // Throws std::runtime_error naming the file and the system error when it cannot be opened.
  static ByteSource openFile(const std::filesystem::path& file, std::size_t chunkBytes = kDefaultChunk);
  // Bytes already in memory (copied), read as if from a file in chunks of chunkBytes.
  static ByteSource fromBytes(std::string_view bytes, std::size_t chunkBytes = kDefaultChunk);

  ByteSource(ByteSource&&) noexcept;
  ByteSource& operator=(ByteSource&&) noexcept;
  ~ByteSource();

  std::string_view window() const { return {buf_.get() + begin_, end_ - begin_}; }
  // Writable view of the same bytes (parsers may unescape a finished record in place).
  char* mutableWindow() { return buf_.get() + begin_; }
  std::uint64_t windowOffset() const { return offset_; }  // file offset of window()[0]
  bool atEof() const { return eof_; }                     // nothing beyond window() is left to read
  // Reads the next chunk onto the window's end. Returns false (and changes nothing) at the end.
  // Throws std::runtime_error on a read error.
  bool readMore();
  void consume(std::size_t n);
  // Reads until the window holds at least n bytes or the file ends; returns whether it does.
  bool ensure(std::size_t n);

 private:
  ByteSource() = default;
  void fill();

  std::FILE* file_ = nullptr;
  std::string path_;
  std::string memory_;        // the fromBytes() source
  std::size_t memoryPos_ = 0;
  std::unique_ptr<char[]> buf_;
  std::size_t capacity_ = 0, begin_ = 0, end_ = 0;
  std::size_t chunk_ = kDefaultChunk;
  std::uint64_t offset_ = 0;
  bool eof_ = false;
};

}  // namespace fts::data
