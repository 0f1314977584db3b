#pragma once
// RFC 4180 records from a buffer: quoted fields, doubled quotes, embedded newlines, CRLF or LF.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fts::data {

struct CsvRecord {
  std::vector<std::string> fields;
  std::int64_t line = 0;  // 1-based line where the record starts
};

struct CsvSyntaxError {
  std::int64_t line = 0;
  std::int64_t column = 0;
  std::string message;
};

class CsvReader {
 public:
  // `text` must outlive the reader. A leading UTF-8 BOM is skipped.
  CsvReader(std::string_view text, char delimiter, std::size_t maxFieldBytes);

  // The next record, or nullopt at the end. On a syntax error returns nullopt and sets error();
  // the reader then resynchronises at the next line so a caller may continue (skip policy).
  std::optional<CsvRecord> next();
  const std::optional<CsvSyntaxError>& error() const { return error_; }
  bool atEnd() const { return pos_ >= text_.size(); }

  // Guesses the delimiter from the first lines: the candidate giving the most consistent count.
  static char sniffDelimiter(std::string_view text);

 private:
  void skipToNextLine();
  std::string_view text_;
  char delim_;
  std::size_t maxField_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
  std::optional<CsvSyntaxError> error_;
};

}  // namespace fts::data
