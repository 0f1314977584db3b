#include "core/data/DataIssue.h"

namespace fts::data {
namespace {
std::string joinIssues(const std::vector<DataIssue>& issues) {
  std::string out;
  for (const auto& i : issues) out += (out.empty() ? "" : "\n") + i.format();
  return out;
}
}  // namespace

std::string DataIssue::format() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out + ": " + message;
}

DataError::DataError(std::vector<DataIssue> issues) : std::runtime_error(joinIssues(issues)), issues_(std::move(issues)) {}

}  // namespace fts::data
