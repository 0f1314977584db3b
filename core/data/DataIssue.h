#pragma once
// A problem found in a user's data file, located precisely enough to fix it in an editor.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace fts::data {

struct DataIssue {
  std::string file;
  std::int64_t line = 0;    // 1-based; 0 when the problem is about the whole file
  std::int64_t column = 0;  // 1-based; 0 when unknown
  std::string message;      // what is wrong and what to do about it

  // "FILE:LINE[:COL]: message"
  std::string format() const;
};

// Thrown when a file cannot be used; carries every issue found (at least one).
class DataError : public std::runtime_error {
 public:
  explicit DataError(std::vector<DataIssue> issues);
  const std::vector<DataIssue>& issues() const { return issues_; }

 private:
  std::vector<DataIssue> issues_;
};

}  // namespace fts::data
