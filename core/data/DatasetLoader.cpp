#include "core/data/DatasetLoader.h"

#include "core/data/CsvReader.h"
#include "core/data/Utf8.h"
#include "core/util/AtomicFile.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace fts::data {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Collects issues and applies the user's policy: stop at the first, or skip the row and report it.
class IssueSink {
 public:
  IssueSink(std::string file, ErrorPolicy policy) : file_(std::move(file)), policy_(policy) {}
  void rowProblem(std::int64_t line, std::int64_t column, std::string message) {
    DataIssue issue{file_, line, column, std::move(message)};
    if (policy_ == ErrorPolicy::StopAtFirst) throw DataError({issue});
    skipped.push_back(std::move(issue));
  }
  [[noreturn]] void fileProblem(std::int64_t line, std::string message) const {
    throw DataError({DataIssue{file_, line, 0, std::move(message)}});
  }
  std::vector<DataIssue> skipped;

 private:
  std::string file_;
  ErrorPolicy policy_;
};

int findColumn(const std::vector<std::string>& header, const std::string& wanted,
               std::initializer_list<const char*> usualNames) {
  if (!wanted.empty()) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == wanted || lower(trim(header[i])) == lower(wanted)) return static_cast<int>(i);
    return -2;  // asked for by name, not there
  }
  for (const char* name : usualNames)
    for (size_t i = 0; i < header.size(); ++i)
      if (lower(trim(header[i])) == name) return static_cast<int>(i);
  return -1;
}

std::string joinHeader(const std::vector<std::string>& header) {
  std::string out;
  for (const auto& h : header) out += (out.empty() ? "" : ", ") + h;
  return out;
}

LoadResult loadDelimited(const std::filesystem::path& file, const std::string& bytes, const LoadOptions& options,
                         char defaultDelimiter) {
  const std::string name = file.string();
  IssueSink sink(name, options.onError);
  LoadResult result;
  result.dataset.source = name;

  if (bytes.empty()) sink.fileProblem(0, "file is empty: it needs a header line (e.g. text,label) and at least one row");
  const char delim = options.delimiter ? options.delimiter
                                       : (defaultDelimiter ? defaultDelimiter : CsvReader::sniffDelimiter(bytes));
  result.notes.push_back(std::string("delimiter: ") + (delim == '\t' ? "tab" : std::string(1, delim)));

  CsvReader reader(bytes, delim, options.maxFieldBytes);
  auto header = reader.next();
  if (!header) {
    if (const auto& e = reader.error()) sink.fileProblem(e->line, e->message);
    sink.fileProblem(0, "file holds no header line: the first line must name the columns (e.g. text,label)");
  }
  const int textCol = findColumn(header->fields, options.textColumn,
                                 {"text", "sentence", "review", "content", "document", "comment", "body", "input"});
  const int labelCol = findColumn(header->fields, options.labelColumn,
                                  {"label", "labels", "class", "category", "topic", "target", "sentiment"});
  if (textCol == -2)
    sink.fileProblem(header->line, "no column named '" + options.textColumn + "' (columns: " + joinHeader(header->fields) +
                                       "): choose the text column with --text-col");
  if (labelCol == -2)
    sink.fileProblem(header->line, "no column named '" + options.labelColumn + "' (columns: " + joinHeader(header->fields) +
                                       "): choose the label column with --label-col");
  if (textCol < 0)
    sink.fileProblem(header->line, "no text column found (columns: " + joinHeader(header->fields) +
                                       "): name one 'text' or choose it with --text-col");
  result.notes.push_back("text column: " + header->fields[textCol]);
  if (labelCol >= 0) result.notes.push_back("label column: " + header->fields[labelCol]);
  const size_t width = header->fields.size();

  while (true) {
    auto rec = reader.next();
    if (!rec) {
      if (const auto& e = reader.error()) {
        sink.rowProblem(e->line, e->column, e->message);
        continue;
      }
      break;
    }
    if (rec->fields.size() != width) {
      sink.rowProblem(rec->line, 0,
                      "row has " + std::to_string(rec->fields.size()) + " fields, the header has " + std::to_string(width) +
                          ": quote fields that contain the delimiter");
      continue;
    }
    bool bad = false;
    for (const auto& f : rec->fields) {
      if (f.find('\0') != std::string::npos) {
        sink.rowProblem(rec->line, 0, "NUL byte in a field: the file looks binary or is UTF-16; save it as UTF-8");
        bad = true;
        break;
      }
      if (auto off = firstInvalidUtf8(f)) {
        sink.rowProblem(rec->line, 0, "invalid UTF-8 at byte " + std::to_string(*off) + " of a field: save the file as UTF-8");
        bad = true;
        break;
      }
    }
    if (bad) continue;
    Sample s;
    s.text = rec->fields[textCol];
    s.line = rec->line;
    if (trim(s.text).empty()) {
      sink.rowProblem(rec->line, 0, "empty text: fill it in or delete the row");
      continue;
    }
    if (labelCol >= 0) {
      s.label = trim(rec->fields[labelCol]);
      if (s.label.empty()) {
        sink.rowProblem(rec->line, 0, "empty label: give the row a label or delete it");
        continue;
      }
    }
    result.dataset.samples.push_back(std::move(s));
  }
  if (result.dataset.samples.empty() && result.skipped.empty() && sink.skipped.empty())
    sink.fileProblem(header->line, "header only, no rows: add samples below the header");
  result.skipped = std::move(sink.skipped);
  return result;
}

LoadResult loadPlainLines(const std::filesystem::path& file, const std::string& bytes, const LoadOptions& options) {
  const std::string name = file.string();
  IssueSink sink(name, options.onError);
  LoadResult result;
  result.dataset.source = name;
  std::string_view rest(bytes);
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
  std::int64_t line = 0;
  while (!rest.empty()) {
    ++line;
    const auto nl = rest.find('\n');
    std::string_view l = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.find('\0') != std::string_view::npos) {
      sink.rowProblem(line, 0, "NUL byte: the file looks binary or is UTF-16; save it as UTF-8");
      continue;
    }
    if (auto off = firstInvalidUtf8(l)) {
      sink.rowProblem(line, static_cast<std::int64_t>(*off) + 1, "invalid UTF-8: save the file as UTF-8");
      continue;
    }
    if (l.size() > options.maxFieldBytes) {
      sink.rowProblem(line, 0, "line longer than the maximum of " + std::to_string(options.maxFieldBytes) + " bytes");
      continue;
    }
    const std::string t = trim(l);
    if (t.empty()) continue;  // blank lines separate nothing in a one-sample-per-line file
    result.dataset.samples.push_back(Sample{t, {}, line});
  }
  if (result.dataset.samples.empty() && sink.skipped.empty()) sink.fileProblem(0, "file holds no text");
  result.skipped = std::move(sink.skipped);
  return result;
}

}  // namespace

LoadResult loadDataset(const std::filesystem::path& file, const LoadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) throw DataError({DataIssue{file.string(), 0, 0, "no such file"}});
  if (std::filesystem::is_directory(file, ec))
    throw DataError({DataIssue{file.string(), 0, 0, "is a folder: give a data file (.csv, .tsv, .txt)"}});
  std::string bytes;
  try {
    bytes = readWholeFile(file);
  } catch (const std::exception& e) {
    throw DataError({DataIssue{file.string(), 0, 0, e.what()}});
  }
  const std::string ext = lower(file.extension().string());
  if (ext == ".tsv" || ext == ".tab") return loadDelimited(file, bytes, options, '\t');
  if (ext == ".txt" || ext == ".text") return loadPlainLines(file, bytes, options);
  return loadDelimited(file, bytes, options, 0);
}

}  // namespace fts::data
