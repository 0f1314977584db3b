#include "core/data/LoaderSupport.h"

#include <cstdio>

namespace fts::data::detail {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool isBlank(std::string_view s) { return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos; }

std::string hexByte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

void IssueSink::rowIn(const std::string& file, std::int64_t line, std::int64_t column, std::string message) {
  DataIssue issue{file, line, column, std::move(message)};
  if (policy_ == ErrorPolicy::StopAtFirst) throw DataError({std::move(issue)});
  skipped.push_back(std::move(issue));
}

void IssueSink::fatal(std::int64_t line, std::string message) const {
  std::vector<DataIssue> all = skipped;  // rows already reported stay in the report
  all.push_back(DataIssue{file_, line, 0, std::move(message)});
  throw DataError(std::move(all));
}

void IssueSink::warnIn(const std::string& file, std::int64_t line, std::string message) {
  warnings.push_back(DataIssue{file, line, 0, std::move(message)});
}

void locateByte(std::string_view text, std::size_t offset, std::int64_t firstLine, std::int64_t& line,
                std::int64_t& column) {
  line = firstLine;
  std::size_t lineStart = 0;
  for (std::size_t k = 0; k < offset && k < text.size(); ++k) {
    if (text[k] == '\n') {
      ++line;
      lineStart = k + 1;
    }
  }
  column = static_cast<std::int64_t>(offset - lineStart) + 1;
}

}  // namespace fts::data::detail
