#include "core/data/DataFormat.h"

#include "core/data/CsvReader.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace fts::data {
namespace {

std::string lowerExtension(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// A line holding only "%" (fortune's entry separator) among the first lines.
bool looksLikeFortune(std::string_view head) {
  std::size_t pos = 0;
  for (int lines = 0; lines < 400 && pos < head.size(); ++lines) {
    const auto nl = head.find('\n', pos);
    std::string_view line = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "%") return true;
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

}  // namespace

const char* toString(DataFormat f) {
  switch (f) {
    case DataFormat::Auto: return "auto";
    case DataFormat::Csv: return "csv";
    case DataFormat::Tsv: return "tsv";
    case DataFormat::Jsonl: return "jsonl";
    case DataFormat::Lines: return "lines";
    case DataFormat::Text: return "text";
    case DataFormat::Folder: return "folder";
    case DataFormat::Fortune: return "fortune";
  }
  return "auto";
}

std::optional<DataFormat> parseDataFormat(std::string_view name) {
  for (DataFormat f : {DataFormat::Auto, DataFormat::Csv, DataFormat::Tsv, DataFormat::Jsonl, DataFormat::Lines,
                       DataFormat::Text, DataFormat::Folder, DataFormat::Fortune})
    if (name == toString(f)) return f;
  return std::nullopt;
}

DataFormat detectFormat(const std::filesystem::path& file, bool isFolder, std::string_view head) {
  if (isFolder) return DataFormat::Folder;
  const std::string ext = lowerExtension(file);
  if (ext == ".csv") return DataFormat::Csv;
  if (ext == ".tsv" || ext == ".tab") return DataFormat::Tsv;
  if (ext == ".jsonl" || ext == ".ndjson") return DataFormat::Jsonl;
  if (ext == ".fortune") return DataFormat::Fortune;
  // Content decides for .txt too: fortune files are often named .txt (or have no extension).
  if (startsWith(head, "\xEF\xBB\xBF")) head.remove_prefix(3);
  if (looksLikeFortune(head)) return DataFormat::Fortune;
  if (ext == ".txt" || ext == ".text") return DataFormat::Lines;
  const auto first = head.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && head[first] == '{') return DataFormat::Jsonl;
  if (ext == ".json") return DataFormat::Jsonl;
  // A delimiter that splits the first line and the next ones alike means a table.
  const char d = CsvReader::sniffDelimiter(head);
  const auto nl = head.find('\n');
  if (head.substr(0, nl).find(d) != std::string_view::npos) return d == '\t' ? DataFormat::Tsv : DataFormat::Csv;
  return DataFormat::Lines;
}

std::string describeNonTextFile(std::string_view h) {
  auto has = [&](std::string_view magic) { return startsWith(h, magic); };
  using namespace std::string_view_literals;
  if (has("\xFF\xFE\x00\x00"sv) || has("\x00\x00\xFE\xFF"sv))
    return "the file is UTF-32 (it starts with a UTF-32 byte order mark): save it as UTF-8";
  if (has("\xFF\xFE"sv) || has("\xFE\xFF"sv))
    return "the file is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8";
  if (has("PK\x03\x04"sv))
    return "the file is a ZIP archive (an .xlsx or .ods spreadsheet?): export the sheet as CSV (UTF-8), or unzip it";
  if (has("\x1F\x8B"sv)) return "the file is gzip-compressed: decompress it first (gunzip)";
  if (has("BZh"sv) && h.size() > 3 && h[3] >= '1' && h[3] <= '9') return "the file is bzip2-compressed: decompress it first (bunzip2)";
  if (has("\xFD" "7zXZ"sv)) return "the file is xz-compressed: decompress it first (unxz)";
  if (has("\xD0\xCF\x11\xE0"sv)) return "the file is an old Office document (.xls/.doc): export it as CSV (UTF-8)";
  if (has("%PDF"sv)) return "the file is a PDF: extract its text first (pdftotext)";
  if (has("SQLite format 3"sv)) return "the file is an SQLite database: export a table as CSV";
  if (has("\x89PNG"sv) || has("\xFF\xD8\xFF"sv) || has("GIF8"sv)) return "the file is an image, not text";
  // Text without a byte order mark that is mostly NUL bytes: UTF-16 (a NUL in every other byte, on
  // the same side) or binary.
  const std::string_view sample = h.substr(0, 4096);
  std::size_t nulEven = 0, nulOdd = 0;
  for (std::size_t i = 0; i < sample.size(); ++i)
    if (sample[i] == '\0') ++(i % 2 ? nulOdd : nulEven);
  const std::size_t nul = nulEven + nulOdd;
  if (!sample.empty() && nul * 4 >= sample.size()) {
    const std::size_t side = std::max(nulEven, nulOdd);
    if (side * 10 >= nul * 9 && side * 5 >= sample.size() * 2)
      return "the file looks like UTF-16 without a byte order mark (every other byte is NUL): save it as UTF-8";
    return "the file looks binary (many NUL bytes), not text: give a CSV, TSV, JSONL or text file";
  }
  return {};
}

}  // namespace fts::data
