#include "core/data/LineReader.h"

#include <cstring>

namespace fts::data {

LineReader::LineReader(ByteSource& source, std::size_t maxLineBytes) : src_(source), max_(maxLineBytes) {}

bool LineReader::next(Line& line) {
  src_.consume(pendingConsume_);
  pendingConsume_ = 0;
  std::size_t scanned = 0;  // bytes of the window already searched for '\n' (offsets survive readMore)
  while (true) {
    const std::string_view win = src_.window();
    const void* nl = scanned < win.size() ? std::memchr(win.data() + scanned, '\n', win.size() - scanned) : nullptr;
    const bool atEnd = !nl && src_.atEof();
    if (nl || (atEnd && !win.empty())) {
      const std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - win.data()) : win.size();
      std::string_view text = win.substr(0, len);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      line.number = ++number_;
      line.offset = src_.windowOffset();
      line.length = text.size();
      line.tooLong = text.size() > max_;
      line.text = line.tooLong ? std::string_view{} : text;
      pendingConsume_ = nl ? len + 1 : len;
      return true;
    }
    if (atEnd) return false;              // empty window at the end of the file
    if (win.size() > max_ + 1) break;     // already over the limit without a line break
    scanned = win.size();
    src_.readMore();  // at the end of the file this adds nothing, and the next pass returns the rest
  }
  // Longer than the limit: report its size without keeping it, streaming through to its end.
  line.number = ++number_;
  line.offset = src_.windowOffset();
  line.tooLong = true;
  line.text = {};
  std::uint64_t length = 0;
  char last = 0;  // the byte before the line break, which may have been in an earlier window
  while (true) {
    const std::string_view win = src_.window();
    const void* nl = std::memchr(win.data(), '\n', win.size());
    if (nl) {
      const std::size_t len = static_cast<std::size_t>(static_cast<const char*>(nl) - win.data());
      length += len;
      if ((len > 0 ? win[len - 1] : last) == '\r') --length;  // "\r\n" ends the line, as above
      src_.consume(len + 1);
      break;
    }
    length += win.size();
    if (!win.empty()) last = win.back();
    src_.consume(win.size());
    if (!src_.readMore()) {
      if (last == '\r') --length;
      break;
    }
  }
  line.length = length;
  return true;
}

}  // namespace fts::data
