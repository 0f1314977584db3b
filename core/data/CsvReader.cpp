#include "core/data/CsvReader.h"

#include "core/data/Utf8.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace fts::data {
namespace {

std::string byteHex(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

}  // namespace

CsvReader::CsvReader(ByteSource& source, char delimiter, std::size_t maxFieldBytes)
    : src_(source), delim_(delimiter), maxField_(maxFieldBytes) {
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == '\0')
    throw std::invalid_argument("a CSV delimiter cannot be a quote, a line break or NUL");
  // A row may hold several long fields (a prompt and its response), but not unboundedly many.
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  maxRecord_ = maxField_ > kMax / 8 ? kMax : std::max<std::size_t>(maxField_ * 8, 1u << 20);
  special_[static_cast<unsigned char>(delim_)] = true;
  special_['\n'] = true;
  special_['\r'] = true;
  src_.ensure(3);
  if (src_.window().substr(0, 3) == "\xEF\xBB\xBF") src_.consume(3);
}

CsvReader::Outcome CsvReader::next(CsvRecord& record) {
  src_.consume(pendingConsume_);
  pendingConsume_ = 0;
  while (true) {
    if (!skipBlankLines()) return Outcome::End;
    const Parse p = parse(record);
    if (p == Parse::Record) return Outcome::Record;
    if (p == Parse::Error) {
      if (resumeAtIndex_) {
        src_.consume(resumeFrom_);
        line_ = resumeLine_;
      } else {
        skipLineFrom(resumeFrom_, resumeLine_);
      }
      return Outcome::Error;
    }
    if (src_.window().size() > maxRecord_) {
      error_ = CsvSyntaxError{line_, 1, src_.windowOffset(),
                              "row longer than " + std::to_string(maxRecord_) +
                                  " bytes: check the quoting, or raise the maximum field size"};
      skipLineFrom(0, line_);
      return Outcome::Error;
    }
    src_.readMore();  // at the end of the file this adds nothing and parse() sees the end
  }
}

bool CsvReader::skipBlankLines() {
  while (true) {
    const std::string_view w = src_.window();
    const bool eof = src_.atEof();
    std::size_t i = 0;
    bool needMore = false;
    while (i < w.size()) {
      if (w[i] == '\n') {
        ++i;
        ++line_;
      } else if (w[i] == '\r') {
        if (i + 1 == w.size() && !eof) {
          needMore = true;
          break;
        }
        i += (i + 1 < w.size() && w[i + 1] == '\n') ? 2 : 1;
        ++line_;
      } else {
        break;
      }
    }
    src_.consume(i);
    if (!needMore && !src_.window().empty()) return true;
    if (!src_.readMore() && src_.window().empty()) return false;
  }
}

CsvReader::Parse CsvReader::fail(std::int64_t line, std::size_t lineStart, std::size_t at, std::string message,
                                 std::size_t resumeFrom, std::int64_t resumeLine) {
  error_ = CsvSyntaxError{line, static_cast<std::int64_t>(at - lineStart + 1), src_.windowOffset() + at,
                          std::move(message)};
  resumeFrom_ = resumeFrom;
  resumeLine_ = resumeLine;
  resumeAtIndex_ = false;
  return Parse::Error;
}

void CsvReader::skipLineFrom(std::size_t from, std::int64_t lineOfFrom) {
  std::size_t i = from;
  while (true) {
    const std::string_view w = src_.window();
    while (i < w.size() && w[i] != '\n' && w[i] != '\r') ++i;
    if (i < w.size()) {
      if (w[i] == '\r' && i + 1 == w.size() && !src_.atEof() && src_.readMore()) continue;
      const std::string_view w2 = src_.window();
      i += (w2[i] == '\r' && i + 1 < w2.size() && w2[i + 1] == '\n') ? 2 : 1;
      src_.consume(i);
      line_ = lineOfFrom + 1;
      return;
    }
    src_.consume(w.size());  // no line break yet: drop what we have and look further
    i = 0;
    if (!src_.readMore()) {
      line_ = lineOfFrom + 1;
      return;
    }
  }
}

CsvReader::Parse CsvReader::parse(CsvRecord& record) {
  const std::string_view w = src_.window();
  const char* d = w.data();
  const std::size_t n = w.size();
  const bool eof = src_.atEof();
  spans_.clear();
  std::int64_t line = line_;
  std::size_t lineStart = 0;  // window index where `line` starts (for columns)
  std::size_t pos = 0;
  bool terminated = false;
  while (true) {
    std::size_t q = pos;
    if (delim_ != ' ')
      while (q < n && d[q] == ' ') ++q;
    if (q == n && !eof) return Parse::NeedMore;
    if (q < n && d[q] == '"') {
      const std::size_t open = q;
      const std::int64_t openLine = line;
      const std::size_t openLineStart = lineStart;
      auto tooLong = [&] {
        return "field longer than the maximum of " + std::to_string(maxField_) +
               " bytes: if it is not meant to be this long, a closing quote is missing; "
               "otherwise raise the maximum field size";
      };
      std::size_t i = q + 1, close = 0;
      bool escaped = false;
      while (true) {
        const void* qp = i < n ? std::memchr(d + i, '"', n - i) : nullptr;
        if (!qp) {
          if (n - (open + 1) > maxField_) return fail(openLine, openLineStart, open, tooLong(), open, openLine);
          if (!eof) return Parse::NeedMore;
          return fail(openLine, openLineStart, open,
                      "quoted field never closed: add the closing quote (\"), or if the quote belongs to the "
                      "text, quote the whole field and double the inner quote (\"\")",
                      open, openLine);
        }
        const std::size_t j = static_cast<std::size_t>(static_cast<const char*>(qp) - d);
        if (j + 1 < n && d[j + 1] == '"') {
          escaped = true;
          i = j + 2;
          continue;
        }
        if (j + 1 == n && !eof) return Parse::NeedMore;  // maybe the first half of a doubled quote
        close = j;
        break;
      }
      if (close - (open + 1) > maxField_) return fail(openLine, openLineStart, open, tooLong(), open, openLine);
      for (std::size_t k = open + 1; k < close; ++k) {
        if (d[k] == '\n' || (d[k] == '\r' && d[k + 1] != '\n')) {
          ++line;
          lineStart = k + 1;
        }
      }
      spans_.push_back(Span{open + 1, close, escaped});
      std::size_t k = close + 1;
      if (delim_ != ' ')
        while (k < n && d[k] == ' ') ++k;
      if (k == n && !eof) return Parse::NeedMore;
      if (k < n && d[k] != delim_ && d[k] != '\n' && d[k] != '\r') {
        const auto c = static_cast<unsigned char>(d[k]);
        const std::string shown = c >= 0x20 && c < 0x7F ? std::string("'") + d[k] + "'" : byteHex(c);
        return fail(line, lineStart, k,
                    "unexpected character " + shown +
                        " after the closing quote of a field: a quote inside a quoted field must be doubled (\"\")",
                    k, line);
      }
      pos = k;
    } else {
      std::size_t i = pos;
      while (i < n && !special_[static_cast<unsigned char>(d[i])]) ++i;
      if (i - pos > maxField_)
        return fail(line, lineStart, pos,
                    "field longer than the maximum of " + std::to_string(maxField_) +
                        " bytes: raise the maximum field size, or check that this is a text file with line breaks",
                    pos, line);
      if (i == n && !eof) return Parse::NeedMore;
      spans_.push_back(Span{pos, i, false});
      pos = i;
    }
    if (spans_.size() > kMaxFields)
      return fail(line, lineStart, pos,
                  "more than " + std::to_string(kMaxFields) + " fields in one row: check the delimiter", pos, line);
    if (pos == n) break;  // the file ends without a line break
    const char c = d[pos];
    if (c == delim_) {
      ++pos;
      continue;
    }
    if (c == '\r') {
      if (pos + 1 == n && !eof) return Parse::NeedMore;
      pos += (pos + 1 < n && d[pos + 1] == '\n') ? 2 : 1;
    } else {
      ++pos;  // '\n'
    }
    terminated = true;
    break;
  }
  const std::int64_t nextLine = terminated ? line + 1 : line;

  if (const auto problem = findUtf8Problem(w.substr(0, pos))) {
    std::int64_t l = line_;
    std::size_t ls = 0;
    for (std::size_t k = 0; k < problem->offset; ++k) {
      if (d[k] == '\n' || (d[k] == '\r' && d[k + 1] != '\n')) {
        ++l;
        ls = k + 1;
      }
    }
    fail(l, ls, problem->offset, describeUtf8Problem(*problem, src_.windowOffset() + problem->offset), pos, nextLine);
    resumeAtIndex_ = true;  // skip exactly this record
    return Parse::Error;
  }

  // Undo doubled quotes in place: the record is complete, so its bytes are never parsed again.
  char* m = src_.mutableWindow();
  record.fields.clear();
  for (const Span& s : spans_) {
    std::size_t end = s.end;
    if (s.escaped) {
      std::size_t out = s.begin;
      for (std::size_t k = s.begin; k < s.end; ++k) {
        m[out++] = m[k];
        if (m[k] == '"') ++k;  // the second of a doubled pair
      }
      end = out;
    }
    record.fields.emplace_back(m + s.begin, end - s.begin);
  }
  record.line = line_;
  record.endLine = line;
  record.offset = src_.windowOffset();
  pendingConsume_ = pos;
  line_ = nextLine;
  return Parse::Record;
}

char CsvReader::sniffDelimiter(std::string_view text) {
  constexpr std::array<char, 4> candidates = {',', '\t', ';', '|'};
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  text = text.substr(0, 64 * 1024);
  char best = ',';
  double bestScore = 0;
  for (char c : candidates) {
    // Fields per line outside quotes on the first lines; the last line may be cut short.
    std::vector<int> counts;
    int count = 0;
    bool inQuotes = false;
    std::size_t i = 0;
    for (; i < text.size() && counts.size() < 20; ++i) {
      const char ch = text[i];
      if (ch == '"') inQuotes = !inQuotes;
      else if (!inQuotes && ch == c) ++count;
      else if (!inQuotes && ch == '\n') {
        counts.push_back(count);
        count = 0;
      }
    }
    if (i == text.size() && count > 0) counts.push_back(count);
    if (counts.empty() || counts[0] == 0) continue;
    const int first = counts[0];
    const auto same = std::count(counts.begin(), counts.end(), first);
    const double score = static_cast<double>(same) / static_cast<double>(counts.size()) * 1000 + first;
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

}  // namespace fts::data
