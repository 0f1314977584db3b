#pragma once
// Lines from a ByteSource with their numbers and file offsets. A line longer than the limit is
// reported (and skipped to its end) instead of being buffered, so no line can exhaust memory.
#include "core/data/ByteSource.h"

#include <cstdint>
#include <string_view>

namespace fts::data {

struct Line {
  std::string_view text;      // without the line break ("\n" or "\r\n"); valid until the next call
  std::int64_t number = 0;    // 1-based
  std::uint64_t offset = 0;   // file offset of text[0]
  bool tooLong = false;       // longer than the limit: text is empty, length holds the size seen
  std::uint64_t length = 0;   // bytes in the line (also when tooLong)
};

class LineReader {
 public:
  LineReader(ByteSource& source, std::size_t maxLineBytes);
  // False at the end of the file. The last line needs no line break.
  bool next(Line& line);

 private:
  ByteSource& src_;
  std::size_t max_;
  std::size_t pendingConsume_ = 0;
  std::int64_t number_ = 0;
};

}  // namespace fts::data
