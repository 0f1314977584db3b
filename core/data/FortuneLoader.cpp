// fortune(6) files: entries separated by lines holding only "%". Each entry is one sample.
#include "core/data/LineReader.h"
#include "core/data/LoaderSupport.h"

namespace fts::data::detail {

void loadFortune(ByteSource& source, const LoadOptions& options, IssueSink& sink, LoadResult& result) {
  source.ensure(3);
  if (source.window().substr(0, 3) == "\xEF\xBB\xBF") source.consume(3);
  LineReader lines(source, options.maxFieldBytes);
  Line l;
  std::string text;
  std::int64_t start = 0, emptyEntries = 0;
  bool bad = false, sawSeparator = false;
  auto finish = [&](bool atSeparator) {
    if (!bad) {
      if (isBlank(text)) {
        if (atSeparator && sawSeparator) ++emptyEntries;  // "%" right after "%"
      } else {
        ++result.rowsRead;
        result.dataset.samples.push_back(Sample{trim(text), {}, {}, start, -1});
      }
    }
    text.clear();
    start = 0;
    bad = false;
  };
  while (lines.next(l)) {
    if (!l.tooLong && (l.text == "%" || l.text == "%%")) {
      finish(true);
      sawSeparator = true;
      continue;
    }
    if (start == 0) start = l.number;
    if (bad) continue;  // the rest of an entry already reported
    const std::string leftOut = "; the entry starting at line " + std::to_string(start) + " is left out";
    if (l.tooLong) {
      bad = true;
      ++result.rowsRead;
      sink.row(l.number, 0, "line longer than the maximum of " + std::to_string(options.maxFieldBytes) +
                                " bytes: raise the maximum field size" + leftOut);
      continue;
    }
    if (const auto p = findUtf8Problem(l.text)) {
      bad = true;
      ++result.rowsRead;
      sink.row(l.number, static_cast<std::int64_t>(p->offset) + 1, describeUtf8Problem(*p, l.offset + p->offset) + leftOut);
      continue;
    }
    if (isBlank(text) && isBlank(l.text)) {
      start = 0;  // leading blank lines do not start the entry
      continue;
    }
    text.append(l.text);
    text.push_back('\n');
    if (text.size() > options.maxFieldBytes) {
      bad = true;
      ++result.rowsRead;
      sink.row(start, 0, "entry longer than the maximum of " + std::to_string(options.maxFieldBytes) +
                             " bytes: is a '%' separator line missing? Otherwise raise the maximum field size");
    }
  }
  finish(false);
  if (result.rowsRead == 0) sink.fatal(0, "no fortune entries: write entries separated by lines holding only %");
  if (emptyEntries > 0) result.notes.push_back(std::to_string(emptyEntries) + (emptyEntries == 1 ? " empty entry" : " empty entries") + " ignored");
}

}  // namespace fts::data::detail
