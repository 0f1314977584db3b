// Each format reads what users have: RFC 4180 CSV, other delimiters, TSV, JSONL, plain text, a whole
// text, fortune files, folders of label subfolders; detection, column mapping and its overrides.
#include "DataTestSupport.h"

#include "core/data/DataFormat.h"

using namespace fts::data;
using fts::data::test::fixture;
using fts::data::test::writeFile;

namespace {

std::vector<std::string> texts(const Dataset& d) {
  std::vector<std::string> out;
  for (const auto& s : d.samples) out.push_back(s.text);
  return out;
}
std::vector<std::string> labels(const Dataset& d) {
  std::vector<std::string> out;
  for (const auto& s : d.samples) out.push_back(s.label);
  return out;
}
std::vector<std::int64_t> lines(const Dataset& d) {
  std::vector<std::int64_t> out;
  for (const auto& s : d.samples) out.push_back(s.line);
  return out;
}
using Strings = std::vector<std::string>;
using Lines = std::vector<std::int64_t>;

}  // namespace

class TestFormats : public QObject {
  Q_OBJECT
 private slots:
  void rfc4180WithBomCrlfQuotesAndLineBreaks() {
    const auto r = loadDataset(fixture("good/rfc4180.csv"));
    QCOMPARE(r.format, DataFormat::Csv);
    QCOMPARE(r.delimiter, ',');
    QCOMPARE(texts(r.dataset), (Strings{"He said \"hi\"", "line one\r\nline two", "plain", "spaced", "comma, inside", "last"}));
    QCOMPARE(labels(r.dataset), (Strings{"greeting", "multi", "simple", "simple", "greeting", "multi"}));
    QCOMPARE(lines(r.dataset), (Lines{2, 3, 5, 6, 7, 8}));
    QCOMPARE(r.textColumn, std::string("text"));  // the BOM is not part of the first column's name
    QCOMPARE(r.task, DataTask::Classification);
    QVERIFY(r.skipped.empty());
  }

  void delimitersAreSniffed() {
    const auto semi = loadDataset(fixture("good/semicolon.csv"));
    QCOMPARE(semi.delimiter, ';');
    QCOMPARE(texts(semi.dataset).front(), std::string("bonjour le monde"));
    const auto pipe = loadDataset(fixture("good/pipe.csv"));
    QCOMPARE(pipe.delimiter, '|');
    QCOMPARE(pipe.textColumn, std::string("text"));  // found by name, though it is the second column
    QCOMPARE(labels(pipe.dataset), (Strings{"fr", "en", "de"}));
    const auto tsv = loadDataset(fixture("good/tabbed.tsv"));
    QCOMPARE(tsv.format, DataFormat::Tsv);
    QCOMPARE(texts(tsv.dataset), (Strings{"hello world", "bonjour", "quoted\ttab"}));
  }

  void delimiterCanBeChosen() {
    LoadOptions o;
    o.delimiter = ';';
    const auto r = loadDataset(fixture("good/semicolon.csv"), o);
    QCOMPARE(r.dataset.samples.size(), std::size_t{4});
  }

  void jsonLines() {
    const auto r = loadDataset(fixture("good/sample.jsonl"));
    QCOMPARE(r.format, DataFormat::Jsonl);
    QCOMPARE(texts(r.dataset), (Strings{"great movie", "awful", "fine"}));
    QCOMPARE(labels(r.dataset), (Strings{"pos", "neg", "1"}));  // a number label becomes its text
    QCOMPARE(lines(r.dataset), (Lines{1, 3, 4}));                // the blank line 2 is not a row
  }

  void promptResponsePairs() {
    const auto j = loadDataset(fixture("good/pairs.jsonl"));
    QCOMPARE(j.task, DataTask::LanguageModel);
    QVERIFY(j.dataset.paired());
    QCOMPARE(j.dataset.samples[1].text, std::string("capital of France?"));
    QCOMPARE(j.dataset.samples[1].response, std::string("Paris"));
    QCOMPARE(j.responseColumn, std::string("response"));
    const auto c = loadDataset(fixture("good/pairs.csv"));  // instruction/output
    QCOMPARE(c.textColumn, std::string("instruction"));
    QCOMPARE(c.responseColumn, std::string("output"));
    QCOMPARE(c.dataset.samples[0].response, std::string("hi"));
  }

  void linesAndWholeText() {
    const auto l = loadDataset(fixture("good/lines.txt"));
    QCOMPARE(l.format, DataFormat::Lines);
    QCOMPARE(texts(l.dataset), (Strings{"first line", "second line", "third line"}));
    QCOMPARE(lines(l.dataset), (Lines{1, 3, 4}));
    QCOMPARE(l.task, DataTask::LanguageModel);
    LoadOptions o;
    o.format = DataFormat::Text;
    const auto t = loadDataset(fixture("good/lines.txt"), o);
    QCOMPARE(t.dataset.samples.size(), std::size_t{1});
    QCOMPARE(t.dataset.samples[0].text, std::string("first line\n\nsecond line\n  third line"));
  }

  void fortuneEntries() {
    const auto r = loadDataset(fixture("good/quotes"));  // no extension: recognised by its % lines
    QCOMPARE(r.format, DataFormat::Fortune);
    QCOMPARE(texts(r.dataset), (Strings{"A fortune entry\n\t-- Someone", "Another one\nover two lines", "Last"}));
    QCOMPARE(lines(r.dataset), (Lines{1, 4, 8}));
    QCOMPARE(r.notes.back(), std::string("1 empty entry ignored"));
  }

  void realFortuneFile() {
    const std::string food = "/usr/share/games/fortunes/food";
    if (!std::filesystem::exists(food)) QSKIP("fortunes not installed");
    const auto r = loadDataset(food);
    QCOMPARE(r.format, DataFormat::Fortune);
    QVERIFY(r.dataset.samples.size() > 100);
  }

  void folderOfLabelSubfolders() {
    const auto r = loadDataset(fixture("good/folder"));
    QCOMPARE(r.format, DataFormat::Folder);
    QCOMPARE(labels(r.dataset), (Strings{"neg", "pos", "pos"}));
    QCOMPARE(texts(r.dataset), (Strings{"Boring", "I loved it", "Great fun"}));  // BOM stripped
    QVERIFY(r.dataset.where(1).ends_with("folder/pos/1.txt"));
    // Files that are not samples are named in warnings, never dropped silently.
    QCOMPARE(r.warnings.size(), std::size_t{3});
    QCOMPARE(r.warnings[0].format(), fixture("good/folder") + ": 1 file directly in the folder not read (README): "
                                                              "without a subfolder there is no label; move each into its label's subfolder");
    QCOMPARE(r.warnings[1].format(), fixture("good/folder/neg") + ": 1 entries are not .txt files and are not read "
                                                                  "(notes.md): give samples as .txt files");
    QVERIFY(r.warnings[2].message.starts_with("class 'neg' has a single sample"));
  }

  void textColumnByContentAndLabelByName() {
    const auto r = loadDataset(fixture("good/review_stars.csv"));
    QCOMPARE(r.textColumn, std::string("review_body"));  // the most text-like column
    QCOMPARE(r.labelColumn, std::string("stars"));
    QCOMPARE(r.dataset.classCounts().size(), std::size_t{3});
  }

  void labelGuessedForClassification() {
    QTemporaryDir dir;
    const auto path = writeFile(dir, "g.csv", "sentence,bucket\nthe first sentence here,x\nanother one to read,y\n"
                                              "and a third one,x\nfourth sentence,y\n");
    LoadOptions o;
    o.task = DataTask::Classification;
    const auto r = loadDataset(path, o);
    QCOMPARE(r.labelColumn, std::string("bucket"));
    QCOMPARE(r.dataset.classCounts().size(), std::size_t{2});
    o.task = DataTask::Auto;  // without the task, an unknown column is not taken for labels
    QCOMPARE(loadDataset(path, o).task, DataTask::LanguageModel);
  }

  void columnsCanBeChosen() {
    LoadOptions o;
    o.textColumn = "ID";   // names match without regard to case
    o.labelColumn = "stars";
    const auto r = loadDataset(fixture("good/review_stars.csv"), o);
    QCOMPARE(r.textColumn, std::string("id"));
    QCOMPARE(texts(r.dataset).front(), std::string("1"));
  }

  void languageModelTaskIgnoresLabels() {
    LoadOptions o;
    o.task = DataTask::LanguageModel;
    const auto r = loadDataset(fixture("bad/single_class.csv"), o);  // one class is fine for LM text
    QCOMPARE(r.task, DataTask::LanguageModel);
    QVERIFY(!r.dataset.labelled());
    QCOMPARE(r.dataset.samples.size(), std::size_t{3});
  }

  void cjkText() {
    const auto r = loadDataset(fixture("good/cjk.csv"));
    QCOMPARE(texts(r.dataset).front(), std::string("床前明月光，疑是地上霜。"));
  }

  void formatOverride() {
    LoadOptions o;
    o.format = DataFormat::Lines;  // a CSV read as lines: the header is a sample too
    const auto r = loadDataset(fixture("good/semicolon.csv"), o);
    QCOMPARE(r.dataset.samples.size(), std::size_t{5});
    QCOMPARE(r.format, DataFormat::Lines);
  }

  void detection() {
    QCOMPARE(detectFormat("a.CSV", false, ""), DataFormat::Csv);
    QCOMPARE(detectFormat("a.tab", false, ""), DataFormat::Tsv);
    QCOMPARE(detectFormat("a.ndjson", false, ""), DataFormat::Jsonl);
    QCOMPARE(detectFormat("a.txt", false, "one\ntwo\n"), DataFormat::Lines);
    QCOMPARE(detectFormat("a.txt", false, "one\n%\ntwo\n"), DataFormat::Fortune);
    QCOMPARE(detectFormat("data", false, "{\"text\": 1}\n"), DataFormat::Jsonl);
    QCOMPARE(detectFormat("data", false, "a\tb\nc\td\n"), DataFormat::Tsv);
    QCOMPARE(detectFormat("data", false, "a,b\nc,d\n"), DataFormat::Csv);
    QCOMPARE(detectFormat("data", false, "just words\n"), DataFormat::Lines);
    QCOMPARE(detectFormat("x", true, ""), DataFormat::Folder);
    QCOMPARE(parseDataFormat("fortune"), std::optional<DataFormat>(DataFormat::Fortune));
    QCOMPARE(parseDataFormat("xlsx"), std::optional<DataFormat>());
    QVERIFY(describeNonTextFile("text,label\n").empty());
  }

  void skipPolicyKeepsGoodRowsAndReportsEveryBadOne() {
    QTemporaryDir dir;
    const auto path = writeFile(dir, "mixed.csv",
                                "text,label\ngood one,a\n,b\nbad \xC3(,a\ngood two,b\nx,y,z\n\"never closed,a\ngood three,a\n");
    LoadOptions o;
    o.onError = ErrorPolicy::SkipAndReport;
    const auto r = loadDataset(path, o);
    QCOMPARE(texts(r.dataset), (Strings{"good one", "good two", "good three"}));
    QCOMPARE(r.skipped.size(), std::size_t{4});
    QCOMPARE(r.rowsRead, std::int64_t{7});
    Lines where;
    for (const auto& i : r.skipped) where.push_back(i.line);
    QCOMPARE(where, (Lines{3, 4, 6, 7}));
    // Stop policy: the first of them, and nothing else.
    const auto errors = fts::data::test::loadErrors(path);
    QCOMPARE(errors.size(), std::size_t{1});
    QCOMPARE(errors[0].line, std::int64_t{3});
  }

  void smallReadChunksGiveTheSameData() {
    for (const char* f : {"good/rfc4180.csv", "good/sample.jsonl", "good/lines.txt", "good/quotes", "good/tabbed.tsv",
                          "good/cjk.csv", "good/pairs.jsonl"}) {
      const auto whole = loadDataset(fixture(f));
      for (std::size_t chunk : {1, 3, 8, 33}) {
        LoadOptions o;
        o.readChunkBytes = chunk;
        const auto r = loadDataset(fixture(f), o);
        QCOMPARE(texts(r.dataset), texts(whole.dataset));
        QCOMPARE(labels(r.dataset), labels(whole.dataset));
        QCOMPARE(lines(r.dataset), lines(whole.dataset));
      }
    }
  }

  void longLinesAreRefusedNotRead() {
    QTemporaryDir dir;
    const auto path = writeFile(dir, "long.txt", "short\n" + std::string(5000, 'x') + "\nafter\n");
    LoadOptions o;
    o.maxFieldBytes = 100;
    o.onError = ErrorPolicy::SkipAndReport;
    o.readChunkBytes = 64;
    const auto r = loadDataset(path, o);
    QCOMPARE(texts(r.dataset), (Strings{"short", "after"}));
    QCOMPARE(r.skipped.size(), std::size_t{1});
    QCOMPARE(r.skipped[0].format(), path + ":2: line longer than the maximum of 100 bytes: raise the maximum field "
                                           "size, or check that this is a text file with line breaks");
  }

  void missingFileAndFolderErrors() {
    const auto e = fts::data::test::loadErrors("/nonexistent/data.csv");
    QCOMPARE(e.size(), std::size_t{1});
    QCOMPARE(e[0].format(), std::string("/nonexistent/data.csv: no such file or folder"));
    LoadOptions o;
    o.format = DataFormat::Csv;
    const auto f = fts::data::test::loadErrors(fixture("good/folder"), o);
    QCOMPARE(f.size(), std::size_t{1});
    QVERIFY(f[0].message.starts_with("is a folder, not a csv file"));
  }
};

QTEST_GUILESS_MAIN(TestFormats)
#include "test_formats.moc"
