#pragma once
// The file formats the studio reads, and how one is recognised: by the file's extension, else by
// its first bytes. A whole-file problem (UTF-16, a spreadsheet, an archive) is named before parsing.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace fts::data {

enum class DataFormat {
  Auto,     // detect
  Csv,      // RFC 4180, delimiter sniffed (, ; | tab) unless chosen
  Tsv,      // the same with tabs
  Jsonl,    // one JSON object per line
  Lines,    // plain text, one sample per line
  Text,     // plain text, the whole file one language-model sample
  Folder,   // a folder of label subfolders holding .txt files, one sample per file
  Fortune,  // fortune(6) files: entries separated by lines holding "%"
};

const char* toString(DataFormat format);
// "csv", "tsv", "jsonl", "text", "lines", "folder", "fortune" (and "auto"); nullopt otherwise.
std::optional<DataFormat> parseDataFormat(std::string_view name);

// By extension (.csv .tsv .tab .jsonl .ndjson .txt .text), a folder by being one, else by content.
DataFormat detectFormat(const std::filesystem::path& file, bool isFolder, std::string_view head);

// When the first bytes show the file is not UTF-8 text at all, what it is and what to do; else empty.
std::string describeNonTextFile(std::string_view head);

}  // namespace fts::data
