#pragma once
// Shared by the format loaders (not part of the public interface): the issue sink that applies the
// user's error policy, checks every sample's fields pass, and the loaders themselves.
#include "core/data/ByteSource.h"
#include "core/data/DatasetLoader.h"
#include "core/data/Utf8.h"

#include <string>
#include <string_view>

namespace fts::data::detail {

std::string trim(std::string_view s);
bool isBlank(std::string_view s);
std::string hexByte(unsigned char b);

// Stop at the first problem, or collect them all: the policy lives here and only here.
class IssueSink {
 public:
  IssueSink(std::string file, ErrorPolicy policy) : file_(std::move(file)), policy_(policy) {}
  void row(std::int64_t line, std::int64_t column, std::string message) { rowIn(file_, line, column, std::move(message)); }
  void rowIn(const std::string& file, std::int64_t line, std::int64_t column, std::string message);
  [[noreturn]] void fatal(std::int64_t line, std::string message) const;
  void warn(std::int64_t line, std::string message) { warnIn(file_, line, std::move(message)); }
  void warnIn(const std::string& file, std::int64_t line, std::string message);
  const std::string& file() const { return file_; }
  std::vector<DataIssue> skipped, warnings;

 private:
  std::string file_;
  ErrorPolicy policy_;
};

// Line and 1-based column of byte `offset` within text that starts at `firstLine`.
void locateByte(std::string_view text, std::size_t offset, std::int64_t firstLine, std::int64_t& line,
                std::int64_t& column);

// Each loader fills result (dataset, notes, counts) and reports through sink. `source` is positioned
// after any BOM check; loaders that need a BOM skip it themselves.
void loadDelimited(ByteSource& source, char delimiter, const LoadOptions& options, IssueSink& sink, LoadResult& result);
void loadJsonl(ByteSource& source, const LoadOptions& options, IssueSink& sink, LoadResult& result);
void loadLines(ByteSource& source, const LoadOptions& options, IssueSink& sink, LoadResult& result);
void loadWholeText(ByteSource& source, const LoadOptions& options, IssueSink& sink, LoadResult& result);
void loadFortune(ByteSource& source, const LoadOptions& options, IssueSink& sink, LoadResult& result);
void loadFolder(const std::filesystem::path& folder, const LoadOptions& options, IssueSink& sink, LoadResult& result);

}  // namespace fts::data::detail
