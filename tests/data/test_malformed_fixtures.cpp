// Every malformed fixture under tests/fixtures/data/bad gives its exact FILE:LINE[:COL]: message.
#include "DataTestSupport.h"

using namespace fts::data;
using fts::data::test::fixture;

namespace {

// Options of a row in the table below.
struct Case {
  const char* file;
  std::vector<std::string> expected;  // the DataError's issues, formatted, without the folder prefix
  ErrorPolicy policy = ErrorPolicy::StopAtFirst;
  DataTask task = DataTask::Auto;
  std::size_t maxField = 1u << 20;
  std::string textCol = {}, labelCol = {};
  DataFormat format = DataFormat::Auto;
};

const std::string kInvalidUtf8Tail = "): save the file as UTF-8 (from Latin-1: iconv -f latin1 -t utf-8)";
const std::string kUnclosed =
    ": quoted field never closed: add the closing quote (\"), or if the quote belongs to the text, quote the whole "
    "field and double the inner quote (\"\")";
const std::string kNoHeader = ": file is empty: it needs a header line naming the columns (e.g. text,label) and at least one row";

std::vector<Case> cases() {
  return {
      {"empty.csv", {"empty.csv" + kNoHeader}},
      {"bom_only.csv", {"bom_only.csv" + kNoHeader}},
      {"blank_lines_only.csv",
       {"blank_lines_only.csv: file holds only blank lines: it needs a header line naming the columns (e.g. text,label) and rows"}},
      {"header_only.csv", {"header_only.csv:1: header only, no rows: add samples below the header line"}},
      {"unclosed_quote.csv", {"unclosed_quote.csv:3:1" + kUnclosed}},
      {"crlf_unclosed.csv", {"crlf_unclosed.csv:3:1" + kUnclosed}},
      {"garbage_after_quote.csv",
       {"garbage_after_quote.csv:3:9: unexpected character 'x' after the closing quote of a field: a quote inside a "
        "quoted field must be doubled (\"\")"}},
      {"too_many_fields.csv",
       {"too_many_fields.csv:3: row has 3 fields, the header has 2: quote fields that contain the delimiter (',')"}},
      {"too_few_fields.csv",
       {"too_few_fields.csv:3: row has 2 fields, the header has 3: add the missing fields, or check the delimiter (',') "
        "and the quoting"}},
      {"tsv_wrong_fields.tsv",
       {"tsv_wrong_fields.tsv:3: row has 1 field, the header has 2: add the missing fields, or check the delimiter "
        "(tab) and the quoting"}},
      {"invalid_utf8.csv", {"invalid_utf8.csv:3:4: invalid UTF-8 (byte 0xE9 at file offset 19" + kInvalidUtf8Tail}},
      {"surrogate_utf8.csv", {"surrogate_utf8.csv:3:5: invalid UTF-8 (byte 0xED at file offset 20" + kInvalidUtf8Tail}},
      {"overlong_utf8.csv", {"overlong_utf8.csv:3:7: invalid UTF-8 (byte 0xC0 at file offset 22" + kInvalidUtf8Tail}},
      {"truncated_utf8.csv", {"truncated_utf8.csv:3:5: invalid UTF-8 (byte 0xE4 at file offset 20" + kInvalidUtf8Tail}},
      {"nul_byte.csv",
       {"nul_byte.csv:3:4: NUL byte (file offset 19): a text file holds none; the file may be binary or UTF-16: save it as UTF-8"}},
      {"utf16le.csv", {"utf16le.csv: the file is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8"}},
      {"utf16_no_bom.csv",
       {"utf16_no_bom.csv: the file looks like UTF-16 without a byte order mark (every other byte is NUL): save it as UTF-8"}},
      {"binary.csv", {"binary.csv: the file looks binary (many NUL bytes), not text: give a CSV, TSV, JSONL or text file"}},
      {"zip.csv", {"zip.csv: the file is a ZIP archive (an .xlsx or .ods spreadsheet?): export the sheet as CSV (UTF-8), or unzip it"}},
      {"gzip.csv", {"gzip.csv: the file is gzip-compressed: decompress it first (gunzip)"}},
      {"empty_text.csv", {"empty_text.csv:3: empty text in column 'text': fill it in or delete the row"}},
      {"empty_label.csv", {"empty_label.csv:3: empty label in column 'label': give the row a label or delete it"}},
      {"no_text_column.csv",
       {"no_text_column.csv:1: no text column found (columns: id, score): name one 'text' or choose it with --text-col"}},
      {"no_label_for_cls.csv",
       {"no_label_for_cls.csv:1: no label column found (columns: text, source): classification needs one; name it "
        "'label' or choose it with --label-col"},
       ErrorPolicy::StopAtFirst, DataTask::Classification},
      {"single_class.csv",
       {"single_class.csv: only one class ('x', 3 rows): a classifier needs at least two; add rows of other classes, or "
        "train a language model on the text (--task lm)"}},
      {"field_too_long.csv",
       {"field_too_long.csv:3:1: field longer than the maximum of 16 bytes: raise the maximum field size, or check that "
        "this is a text file with line breaks"},
       ErrorPolicy::StopAtFirst, DataTask::Auto, 16},
      {"quoted_field_too_long.csv",
       {"quoted_field_too_long.csv:3:1: field longer than the maximum of 16 bytes: if it is not meant to be this long, a "
        "closing quote is missing; otherwise raise the maximum field size"},
       ErrorPolicy::StopAtFirst, DataTask::Auto, 16},
      {"unknown_text_col.csv",
       {"unknown_text_col.csv:1: no column named 'body' (columns: text, label): choose the text column with --text-col"},
       ErrorPolicy::StopAtFirst, DataTask::Auto, 1u << 20, "body"},
      {"same_text_label.csv",
       {"same_text_label.csv:1: the text and the label are the same column ('text'): choose different ones with "
        "--text-col and --label-col"},
       ErrorPolicy::StopAtFirst, DataTask::Auto, 1u << 20, "text", "text"},
      {"all_rows_bad.csv",
       {"all_rows_bad.csv:2: empty text in column 'text': fill it in or delete the row",
        "all_rows_bad.csv:3: empty text in column 'text': fill it in or delete the row",
        "all_rows_bad.csv: no usable rows: all 2 rows have problems (listed above); fix them, or choose other columns"},
       ErrorPolicy::SkipAndReport},
      {"bad_json.jsonl",
       {"bad_json.jsonl:2:20: invalid JSON (syntax error while parsing object - unexpected string literal; expected "
        "'}'): each line must be one JSON object, e.g. {\"text\": \"...\", \"label\": \"...\"}"}},
      {"not_object.jsonl",
       {"not_object.jsonl:2: the line holds a list, not a JSON object: write {\"text\": \"...\", \"label\": \"...\"}"}},
      {"missing_field.jsonl",
       {"missing_field.jsonl:2: no field 'text' in this object: every line needs its text under the same name"}},
      {"text_not_string.jsonl",
       {"text_not_string.jsonl:2: field 'text' holds an object, not a string: write the text as a JSON string"}},
      {"label_list.jsonl", {"label_list.jsonl:2: field 'label' holds a list: give one label per line as a string or number"}},
      {"json_array.jsonl",
       {"json_array.jsonl:1: the file is one JSON array, not JSON Lines: write one object per line (e.g. jq -c '.[]' "
        "FILE > FILE.jsonl)"}},
      {"deep.jsonl", {"deep.jsonl:2: JSON nested deeper than 64 levels: flatten the object (a data line needs no more)"}},
      {"invalid_utf8_json.jsonl",
       {"invalid_utf8_json.jsonl:2:14: invalid UTF-8 (byte 0xE9 at file offset 41" + kInvalidUtf8Tail}},
      {"lines_invalid_utf8.txt",
       {"lines_invalid_utf8.txt:2:5: invalid UTF-8 (byte 0xFF at file offset 14" + kInvalidUtf8Tail}},
      {"lines_only_blank.txt", {"lines_only_blank.txt: file holds only blank lines: write one sample per line"}},
      {"plain_for_cls.txt",
       {"plain_for_cls.txt: classification needs labels, and lines files have none: use CSV, TSV or JSONL with a label "
        "column, or a folder of label subfolders (or train a language model: --task lm)"},
       ErrorPolicy::StopAtFirst, DataTask::Classification},
      {"fortune_empty.fortune", {"fortune_empty.fortune: no fortune entries: write entries separated by lines holding only %"}},
      {"fortune_bad_utf8.fortune",
       {"fortune_bad_utf8.fortune:3:8: invalid UTF-8 (byte 0x80 at file offset 21" + kInvalidUtf8Tail.substr(0, kInvalidUtf8Tail.size()) +
        "; the entry starting at line 3 is left out"}},
      {"folder_flat",
       {"folder_flat: no label subfolders: put each class's .txt files in a subfolder named after its label (e.g. "
        "FOLDER/sports/001.txt); for one sample per line give a text file instead"}},
      {"folder_one_class",
       {"folder_one_class: only one class ('only', 2 rows): a classifier needs at least two; add rows of other classes, "
        "or train a language model on the text (--task lm)"}},
      {"folder_empty_file", {"folder_empty_file/pos/b.txt: empty file: write the sample's text in it, or delete it"}},
      {"header_only.csv",
       {"header_only.csv: is a file, not a folder: the folder format reads a folder of label subfolders"},
       ErrorPolicy::StopAtFirst, DataTask::Auto, 1u << 20, "", "", DataFormat::Folder},
  };
}

}  // namespace

class TestMalformedFixtures : public QObject {
  Q_OBJECT
 private slots:
  void reportsExactMessageAndLine_data() {
    QTest::addColumn<int>("index");
    const auto all = cases();
    for (std::size_t i = 0; i < all.size(); ++i)
      QTest::newRow((std::string(all[i].file) + "#" + std::to_string(i)).c_str()) << static_cast<int>(i);
  }

  void reportsExactMessageAndLine() {
    QFETCH(int, index);
    const Case c = cases()[static_cast<std::size_t>(index)];
    LoadOptions o;
    o.onError = c.policy;
    o.task = c.task;
    o.maxFieldBytes = c.maxField;
    o.textColumn = c.textCol;
    o.labelColumn = c.labelCol;
    o.format = c.format;
    const std::string dir = fixture("bad/");
    std::vector<std::string> got;
    try {
      loadDataset(dir + c.file, o);
      QFAIL("loading must throw DataError");
    } catch (const DataError& e) {
      for (const auto& i : e.issues()) {
        QVERIFY2(i.format().starts_with(dir), i.format().c_str());
        got.push_back(i.format().substr(dir.size()));
      }
      // The exception's text is the same lines, for callers that only print what().
      std::string joined;
      for (const auto& i : e.issues()) joined += (joined.empty() ? "" : "\n") + i.format();
      QCOMPARE(std::string(e.what()), joined);
    }
    for (std::size_t i = 0; i < std::max(got.size(), c.expected.size()); ++i)
      QCOMPARE(i < got.size() ? got[i] : std::string("<none>"), i < c.expected.size() ? c.expected[i] : std::string("<none>"));
  }

  void atLeast25MalformedFixtures() { QVERIFY(cases().size() >= 25); }

  void skipPolicyReportsEveryBadRowWithTheGoodOnesKept() {
    // Under SkipAndReport the unclosed quote costs only its own line; the rows after it load.
    LoadOptions o;
    o.onError = ErrorPolicy::SkipAndReport;
    const auto r = loadDataset(fixture("bad/unclosed_quote.csv"), o);
    QCOMPARE(r.dataset.samples.size(), std::size_t{2});
    QCOMPARE(r.dataset.samples[1].text, std::string("last"));
    QCOMPARE(r.dataset.samples[1].line, std::int64_t{4});
    QCOMPARE(r.skipped.size(), std::size_t{1});
    QCOMPARE(r.skipped[0].line, std::int64_t{3});
    QCOMPARE(r.skipped[0].column, std::int64_t{1});
    QCOMPARE(r.rowsRead, std::int64_t{3});
  }
};

QTEST_GUILESS_MAIN(TestMalformedFixtures)
#include "test_malformed_fixtures.moc"
