// Plain text: one sample per line, or the whole file as one language-model text.
#include "core/data/LineReader.h"
#include "core/data/LoaderSupport.h"

namespace fts::data::detail {
namespace {

void skipBom(ByteSource& source) {
  source.ensure(3);
  if (source.window().substr(0, 3) == "\xEF\xBB\xBF") source.consume(3);
}

std::string tooLongMessage(std::size_t max) {
  return "line longer than the maximum of " + std::to_string(max) +
         " bytes: raise the maximum field size, or check that this is a text file with line breaks";
}

}  // namespace

void loadLines(ByteSource& source, const LoadOptions& options, IssueSink& sink, LoadResult& result) {
  skipBom(source);
  LineReader lines(source, options.maxFieldBytes);
  Line l;
  std::int64_t blank = 0;
  while (lines.next(l)) {
    if (l.tooLong) {
      ++result.rowsRead;
      sink.row(l.number, 0, tooLongMessage(options.maxFieldBytes));
      continue;
    }
    if (isBlank(l.text)) {
      ++blank;  // blank lines separate nothing in a one-sample-per-line file
      continue;
    }
    ++result.rowsRead;
    if (const auto p = findUtf8Problem(l.text)) {
      sink.row(l.number, static_cast<std::int64_t>(p->offset) + 1, describeUtf8Problem(*p, l.offset + p->offset));
      continue;
    }
    result.dataset.samples.push_back(Sample{trim(l.text), {}, {}, l.number, -1});
  }
  if (result.rowsRead == 0)
    sink.fatal(0, blank > 0 ? "file holds only blank lines: write one sample per line" : "file is empty: write one sample per line");
  if (blank > 0) result.notes.push_back(std::to_string(blank) + (blank == 1 ? " blank line" : " blank lines") + " ignored");
}

void loadWholeText(ByteSource& source, const LoadOptions& options, IssueSink& sink, LoadResult& result) {
  skipBom(source);
  LineReader lines(source, options.maxFieldBytes);
  Line l;
  Sample s;
  s.line = 1;
  std::int64_t bad = 0;
  while (lines.next(l)) {
    if (l.tooLong) {
      ++bad;
      sink.row(l.number, 0, tooLongMessage(options.maxFieldBytes) + "; the line is left out of the text");
      continue;
    }
    if (const auto p = findUtf8Problem(l.text)) {
      ++bad;
      sink.row(l.number, static_cast<std::int64_t>(p->offset) + 1,
               describeUtf8Problem(*p, l.offset + p->offset) + "; the line is left out of the text");
      continue;
    }
    s.text.append(l.text);
    s.text.push_back('\n');
  }
  result.rowsRead = 1;
  if (isBlank(s.text)) {
    if (bad > 0) return;  // every line was bad: the caller says nothing is usable
    sink.fatal(0, "file holds no text");
  }
  while (!s.text.empty() && (s.text.back() == '\n' || s.text.back() == ' ' || s.text.back() == '\t')) s.text.pop_back();
  result.dataset.samples.push_back(std::move(s));
  result.notes.push_back("the whole file is one language-model text");
}

}  // namespace fts::data::detail
