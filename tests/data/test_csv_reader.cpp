// CsvReader: RFC 4180 records, streamed in chunks of any size with the same result.
#include "core/data/CsvReader.h"

#include <QtTest>

using namespace fts::data;

namespace {

struct Parsed {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::int64_t> lines;
  std::vector<std::string> errors;  // "LINE:COL: message"
};

Parsed parse(std::string_view bytes, char delim = ',', std::size_t maxField = 1 << 20, std::size_t chunk = 1 << 20) {
  ByteSource src = ByteSource::fromBytes(bytes, chunk);
  CsvReader reader(src, delim, maxField);
  Parsed p;
  CsvRecord rec;
  while (true) {
    const auto o = reader.next(rec);
    if (o == CsvReader::Outcome::End) break;
    if (o == CsvReader::Outcome::Error) {
      p.errors.push_back(std::to_string(reader.error().line) + ":" + std::to_string(reader.error().column) + ": " +
                         reader.error().message);
      continue;
    }
    p.rows.emplace_back(rec.fields.begin(), rec.fields.end());
    p.lines.push_back(rec.line);
  }
  return p;
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

class TestCsvReader : public QObject {
  Q_OBJECT
 private slots:
  void quotedFieldsDoubledQuotesAndEmbeddedLineBreaks() {
    const auto p = parse("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",z\r\nlast,row");
    QVERIFY(p.errors.empty());
    QCOMPARE(p.rows, (Rows{{"a", "b"}, {"x, y", "say \"hi\""}, {"two\nlines", "z"}, {"last", "row"}}));
    QCOMPARE(p.lines, (std::vector<std::int64_t>{1, 2, 3, 5}));  // the embedded line break counts
  }

  void bomEmptyFieldsAndTrailingDelimiter() {
    const auto p = parse("\xEF\xBB\xBFh1,h2,h3\n,,\na,,c\nx,y,\n");
    QVERIFY(p.errors.empty());
    QCOMPARE(p.rows, (Rows{{"h1", "h2", "h3"}, {"", "", ""}, {"a", "", "c"}, {"x", "y", ""}}));
  }

  void blankLinesAreSkippedButCounted() {
    const auto p = parse("a\n\n\r\nb\n\n");
    QCOMPARE(p.rows, (Rows{{"a"}, {"b"}}));
    QCOMPARE(p.lines, (std::vector<std::int64_t>{1, 4}));
  }

  void carriageReturnAloneEndsALine() {
    const auto p = parse("a,b\rc,d\r\"e\rf\",g");
    QCOMPARE(p.rows, (Rows{{"a", "b"}, {"c", "d"}, {"e\rf", "g"}}));
    QCOMPARE(p.lines, (std::vector<std::int64_t>{1, 2, 3}));
  }

  void lenientWhereTheMeaningIsClear() {
    // Spaces around a quoted field are dropped; a quote inside an unquoted field is kept as written.
    const auto p = parse("  \"quoted\"  ,5'11\" tall\n");
    QVERIFY(p.errors.empty());
    QCOMPARE(p.rows, (Rows{{"quoted", "5'11\" tall"}}));
  }

  void otherDelimiters() {
    QCOMPARE(parse("a;b\n\"c;d\";e\n", ';').rows, (Rows{{"a", "b"}, {"c;d", "e"}}));
    QCOMPARE(parse("a\tb\nc d\te\n", '\t').rows, (Rows{{"a", "b"}, {"c d", "e"}}));
    QCOMPARE(parse("a|b\n", '|').rows, (Rows{{"a", "b"}}));
  }

  void sniffsTheDelimiter() {
    QCOMPARE(CsvReader::sniffDelimiter("text,label\nhello,a\nworld,b\n"), ',');
    QCOMPARE(CsvReader::sniffDelimiter("text;label\nhello, world;a\nbye, now;b\n"), ';');
    QCOMPARE(CsvReader::sniffDelimiter("text\tlabel\nhello, world\ta\n"), '\t');
    QCOMPARE(CsvReader::sniffDelimiter("label|text\na|x, y, z\n"), '|');
    QCOMPARE(CsvReader::sniffDelimiter("\"a;b\",c\n\"d;e\",f\n"), ',');  // inside quotes does not count
    QCOMPARE(CsvReader::sniffDelimiter("just one column\nof text\n"), ',');
  }

  void everyChunkSizeGivesTheSameRecords() {
    // Records spanning chunk boundaries, at every possible place: a doubled quote split in two, a
    // CRLF split in two, a BOM split, a field longer than the chunk.
    const std::string text = "\xEF\xBB\xBFtext,label\r\n\"a \"\"quoted\"\" word\",x\r\n\"multi\r\nline\",y\r\n" +
                             std::string(300, 'z') + ",long\r\nplain,p\r\n\r\n\"end\"";
    const Parsed whole = parse(text);
    QVERIFY(whole.errors.empty());
    QCOMPARE(whole.rows.size(), std::size_t{6});
    for (std::size_t chunk : {1, 2, 3, 5, 7, 16, 64, 301}) {
      const Parsed p = parse(text, ',', 1 << 20, chunk);
      QCOMPARE(p.rows, whole.rows);
      QCOMPARE(p.lines, whole.lines);
      QVERIFY(p.errors.empty());
    }
  }

  void unclosedQuoteResumesAfterItsLine() {
    const auto p = parse("a,b\n\"open,1\nnext,2\n");
    QCOMPARE(p.errors.size(), std::size_t{1});
    QCOMPARE(p.errors[0], std::string("2:1: quoted field never closed: add the closing quote (\"), or if the quote "
                                      "belongs to the text, quote the whole field and double the inner quote (\"\")"));
    QCOMPARE(p.rows, (Rows{{"a", "b"}, {"next", "2"}}));
    QCOMPARE(p.lines.back(), std::int64_t{3});
  }

  void characterAfterClosingQuote() {
    const auto p = parse("a,b\n\"x\"y,1\nok,2\n");
    QCOMPARE(p.errors, (std::vector<std::string>{
                           "2:4: unexpected character 'y' after the closing quote of a field: a quote inside a quoted "
                           "field must be doubled (\"\")"}));
    QCOMPARE(p.rows.back(), (std::vector<std::string>{"ok", "2"}));
  }

  void longFieldIsAnErrorFoundEarly() {
    // 10 MB of one unquoted field: the error comes once it passes the limit, reading in small chunks.
    std::string text = "a,b\n" + std::string(10'000'000, 'x') + ",1\nok,2\n";
    const auto p = parse(text, ',', 1000, 4096);
    QCOMPARE(p.errors, (std::vector<std::string>{"2:1: field longer than the maximum of 1000 bytes: raise the maximum "
                                                 "field size, or check that this is a text file with line breaks"}));
    QCOMPARE(p.rows, (Rows{{"a", "b"}, {"ok", "2"}}));
  }

  void longQuotedFieldPointsAtItsQuote() {
    const auto p = parse("a,b\nx,\"" + std::string(50, 'q') + "\"\nok,2\n", ',', 20);
    QCOMPARE(p.errors.size(), std::size_t{1});
    QVERIFY(p.errors[0].starts_with("2:3: field longer than the maximum of 20 bytes: if it is not meant to be this long, "
                                    "a closing quote is missing"));
    QCOMPARE(p.rows.back(), (std::vector<std::string>{"ok", "2"}));
  }

  void tooManyFields() {
    std::string row;
    for (int i = 0; i < 10005; ++i) row += "a,";
    const auto p = parse("h\n" + row + "\nok\n");
    QCOMPARE(p.errors.size(), std::size_t{1});
    QVERIFY(p.errors[0].find("more than 10000 fields in one row: check the delimiter") != std::string::npos);
    QCOMPARE(p.rows.back(), (std::vector<std::string>{"ok"}));
  }

  void invalidUtf8IsLocatedInsideAMultiLineRecord() {
    const auto p = parse("a,b\n\"one\ntwo \xFF\",x\nok,y\n");
    QCOMPARE(p.errors, (std::vector<std::string>{
                           "3:5: invalid UTF-8 (byte 0xFF at file offset 13): save the file as UTF-8 (from Latin-1: "
                           "iconv -f latin1 -t utf-8)"}));
    QCOMPARE(p.rows, (Rows{{"a", "b"}, {"ok", "y"}}));
    QCOMPARE(p.lines.back(), std::int64_t{4});
  }

  void byteSourceSlidesAndReadsOn() {
    ByteSource s = ByteSource::fromBytes("abcdefghij", 3);
    QCOMPARE(s.window(), std::string_view("abc"));
    s.consume(3);
    QVERIFY(s.readMore());  // an emptied window still reads on
    QCOMPARE(s.window(), std::string_view("def"));
    QCOMPARE(s.windowOffset(), std::uint64_t{3});
    s.consume(2);
    QVERIFY(s.readMore());
    QCOMPARE(s.window(), std::string_view("fghi"));
    QVERIFY(s.readMore());
    QCOMPARE(s.window(), std::string_view("fghij"));
    QVERIFY(s.atEof());
    QVERIFY(!s.readMore());
  }

  void blankLinesAcrossChunks() {
    for (std::size_t chunk = 1; chunk <= 6; ++chunk) {
      const auto p = parse("a\n\n\n\n\nb\r\n\r\n\r\n\r\nc", ',', 1 << 20, chunk);
      QCOMPARE(p.rows, (Rows{{"a"}, {"b"}, {"c"}}));
      QCOMPARE(p.lines, (std::vector<std::int64_t>{1, 6, 10}));
    }
  }

  void rejectsImpossibleDelimiters() {
    ByteSource src = ByteSource::fromBytes("a");
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, CsvReader(src, '"', 10));
  }
};

QTEST_GUILESS_MAIN(TestCsvReader)
#include "test_csv_reader.moc"
