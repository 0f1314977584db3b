// CSV and TSV: a header line naming the columns, then one sample per record.
#include "core/data/CsvReader.h"
#include "core/data/LoaderSupport.h"

#include <set>

namespace fts::data::detail {
namespace {

std::string delimiterName(char d) {
  if (d == '\t') return "tab";
  if (d == ' ') return "space";
  return std::string("'") + d + "'";
}

// A record read during the preview (copied, since the reader's views die with the next call),
// or the error found in its place.
struct PreviewRow {
  bool failed = false;
  CsvSyntaxError error;
  std::vector<std::string> fields;
  std::int64_t line = 0;
};

class RowChecker {
 public:
  RowChecker(const std::vector<std::string>& header, const ColumnChoice& cols, char delim, IssueSink& sink,
             LoadResult& result)
      : header_(header), cols_(cols), delim_(delim), sink_(sink), result_(result) {}

  void add(const std::vector<std::string_view>& fields, std::int64_t line) {
    ++result_.rowsRead;
    if (fields.size() != header_.size()) {
      std::string msg = "row has " + std::to_string(fields.size()) + (fields.size() == 1 ? " field" : " fields") +
                        ", the header has " + std::to_string(header_.size()) + ": ";
      msg += fields.size() > header_.size()
                 ? "quote fields that contain the delimiter (" + delimiterName(delim_) + ")"
                 : "add the missing fields, or check the delimiter (" + delimiterName(delim_) + ") and the quoting";
      sink_.row(line, 0, std::move(msg));
      return;
    }
    const std::string_view text = fields[static_cast<std::size_t>(cols_.text)];
    if (isBlank(text)) {
      sink_.row(line, 0, "empty " + role("text") + " in column '" + header_[static_cast<std::size_t>(cols_.text)] +
                             "': fill it in or delete the row");
      return;
    }
    Sample s;
    if (cols_.label >= 0) {
      s.label = trim(fields[static_cast<std::size_t>(cols_.label)]);
      if (s.label.empty()) {
        sink_.row(line, 0, "empty label in column '" + header_[static_cast<std::size_t>(cols_.label)] +
                               "': give the row a label or delete it");
        return;
      }
    }
    if (cols_.response >= 0) {
      const std::string_view response = fields[static_cast<std::size_t>(cols_.response)];
      if (isBlank(response)) {
        sink_.row(line, 0, "empty response in column '" + header_[static_cast<std::size_t>(cols_.response)] +
                               "': fill it in or delete the row");
        return;
      }
      s.response.assign(response);
    }
    s.text.assign(text);
    s.line = line;
    result_.dataset.samples.push_back(std::move(s));
  }

 private:
  std::string role(const char* plain) const { return cols_.response >= 0 ? "prompt" : plain; }
  const std::vector<std::string>& header_;
  const ColumnChoice& cols_;
  char delim_;
  IssueSink& sink_;
  LoadResult& result_;
};

}  // namespace

void loadDelimited(ByteSource& source, char delimiter, const LoadOptions& options, IssueSink& sink, LoadResult& result) {
  source.ensure(64 * 1024);
  {
    std::string_view head = source.window();
    if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
    if (head.empty())
      sink.fatal(0, "file is empty: it needs a header line naming the columns (e.g. text,label) and at least one row");
    if (isBlank(head) && source.atEof())
      sink.fatal(0, "file holds only blank lines: it needs a header line naming the columns (e.g. text,label) and rows");
  }
  const char delim = options.delimiter ? options.delimiter : delimiter ? delimiter : CsvReader::sniffDelimiter(source.window());
  result.delimiter = delim;
  result.notes.push_back("delimiter: " + delimiterName(delim) + (options.delimiter || delimiter ? "" : " (detected)"));

  CsvReader reader(source, delim, options.maxFieldBytes);
  CsvRecord rec;
  const auto first = reader.next(rec);
  if (first == CsvReader::Outcome::End)
    sink.fatal(0, "file holds only blank lines: it needs a header line naming the columns (e.g. text,label) and rows");
  if (first == CsvReader::Outcome::Error)
    sink.fatal(reader.error().line, "in the header line: " + reader.error().message);
  const std::int64_t headerLine = rec.line;
  std::vector<std::string> header;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < rec.fields.size(); ++i) {
    std::string name = trim(rec.fields[i]);
    if (name.empty()) name = "column " + std::to_string(i + 1);
    if (!seen.insert(name).second)
      sink.warn(headerLine, "two columns are named '" + name + "': the first is used; rename one to choose the other");
    header.push_back(std::move(name));
  }

  // Preview the first rows so the text column can be recognised by its contents.
  std::vector<PreviewRow> preview;
  bool ended = false;
  while (preview.size() < 200) {
    const auto outcome = reader.next(rec);
    if (outcome == CsvReader::Outcome::End) {
      ended = true;
      break;
    }
    PreviewRow row;
    if (outcome == CsvReader::Outcome::Error) {
      row.failed = true;
      row.error = reader.error();
    } else {
      row.fields.assign(rec.fields.begin(), rec.fields.end());
      row.line = rec.line;
    }
    preview.push_back(std::move(row));
  }
  std::vector<std::vector<std::string>> values;
  for (const auto& row : preview)
    if (!row.failed && row.fields.size() == header.size()) values.push_back(row.fields);

  ColumnRequest request{options.textColumn, options.labelColumn, options.responseColumn, options.task, "column"};
  const ColumnChoice cols = chooseColumns(header, values, request);
  if (!cols.error.empty()) sink.fatal(headerLine, cols.error);
  for (const auto& n : cols.notes) result.notes.push_back(n);
  result.textColumn = header[static_cast<std::size_t>(cols.text)];
  if (cols.label >= 0) result.labelColumn = header[static_cast<std::size_t>(cols.label)];
  if (cols.response >= 0) result.responseColumn = header[static_cast<std::size_t>(cols.response)];

  RowChecker checker(header, cols, delim, sink, result);
  std::vector<std::string_view> views;
  for (const auto& row : preview) {
    if (row.failed) {
      ++result.rowsRead;
      sink.row(row.error.line, row.error.column, row.error.message);
      continue;
    }
    views.assign(row.fields.begin(), row.fields.end());
    checker.add(views, row.line);
  }
  while (!ended) {
    const auto outcome = reader.next(rec);
    if (outcome == CsvReader::Outcome::End) break;
    if (outcome == CsvReader::Outcome::Error) {
      ++result.rowsRead;
      sink.row(reader.error().line, reader.error().column, reader.error().message);
      continue;
    }
    checker.add(rec.fields, rec.line);
  }
  if (result.rowsRead == 0) sink.fatal(headerLine, "header only, no rows: add samples below the header line");
}

}  // namespace fts::data::detail
