#pragma once
// RFC 4180 records streamed from a ByteSource: quoted fields, doubled quotes, embedded line breaks,
// CRLF, LF or CR line ends, a leading UTF-8 BOM, any one-byte delimiter. Lenient where real files
// differ from the RFC and the meaning is clear: spaces around a quoted field, a quote inside an
// unquoted field (kept as written), blank lines between records (skipped).
//
// Each record's bytes are also checked: valid UTF-8 and no NUL. Memory stays bounded: a field
// longer than maxFieldBytes is an error found as soon as it is that long, not after reading it.
#include "core/data/ByteSource.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fts::data {

struct CsvRecord {
  std::vector<std::string_view> fields;  // unescaped; valid until the next call to next()
  std::int64_t line = 0;                 // 1-based line where the record starts
  std::int64_t endLine = 0;              // line where it ends (differs when a field holds line breaks)
  std::uint64_t offset = 0;              // file offset of its first byte
};

struct CsvSyntaxError {
  std::int64_t line = 0;
  std::int64_t column = 0;    // 1-based byte column in that line
  std::uint64_t offset = 0;   // file offset of the offending byte
  std::string message;        // what is wrong and what to do
};

class CsvReader {
 public:
  enum class Outcome { Record, Error, End };
  static constexpr std::size_t kMaxFields = 10000;

  CsvReader(ByteSource& source, char delimiter, std::size_t maxFieldBytes);

  // Record: `record` holds the next one. Error: error() says what and where; the reader has
  // resynchronised at the next line (or after the bad record), so a caller may go on. End: done.
  Outcome next(CsvRecord& record);
  const CsvSyntaxError& error() const { return error_; }

  // Guesses the delimiter from the first lines: the candidate (, tab ; |) that splits them into the
  // most consistent non-zero number of fields. ',' when none does.
  static char sniffDelimiter(std::string_view head);

 private:
  enum class Parse { Record, NeedMore, Error };
  struct Span {
    std::size_t begin, end;  // in the window
    bool escaped;            // holds doubled quotes to undo
  };
  Parse parse(CsvRecord& record);
  Parse fail(std::int64_t line, std::size_t lineStart, std::size_t at, std::string message, std::size_t resumeFrom,
             std::int64_t resumeLine);
  // Consumes through the end of the line holding window()[from] (streaming past the window if
  // needed); line_ becomes lineOfFrom + 1.
  void skipLineFrom(std::size_t from, std::int64_t lineOfFrom);
  bool skipBlankLines();  // false when the file ended

  ByteSource& src_;
  char delim_;
  std::size_t maxField_;
  std::size_t maxRecord_;
  std::array<bool, 256> special_{};  // bytes that end an unquoted field
  std::size_t pendingConsume_ = 0;
  std::int64_t line_ = 1;            // line of window()[0]
  std::vector<Span> spans_;
  CsvSyntaxError error_;
  // Set by fail(): where to resume once the error is reported.
  std::size_t resumeFrom_ = 0;
  std::int64_t resumeLine_ = 0;
  bool resumeAtIndex_ = false;       // resume exactly at resumeFrom_ (after a whole bad record)
};

}  // namespace fts::data
