// Every operation, in English and in Chinese, does what its change log says (replaying the log on
// the source gives the output), reproduces from its seed on any thread count, changes no more words
// than alpha allows, and leaves stop words and protected spans alone; Chinese output never splits
// a character and gains no spaces.
#include "core/augment/Augmenter.h"
#include "core/augment/DatasetAugmentation.h"
#include "core/augment/UserSynonyms.h"
#include "core/augment/WordSplitter.h"
#include "core/data/SeededShuffle.h"
#include "core/data/Utf8.h"

#include <QTest>

#include <algorithm>

using namespace fts::augment;

namespace {

const std::vector<std::string> kEnglish = {
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "She was happy to see her old friends at the big party last night.",
    "Visit https://example.com/page?id=7 or write to @alice about the 3 broken computers.",
    "Programs must be written for people to read, and only incidentally for machines to execute.",
    "A small cat sat quietly on the warm mat while the children played outside in the garden.",
};
const std::vector<std::string> kChinese = {
    "今天天气很好，我们一起去公园散步吧。",
    "他喜欢在安静的图书馆里读书和学习。",
    "这个城市的夜晚非常美丽，街道上有很多行人。",
    "学生们认真地听老师讲课，并且积极回答问题。",
};
// Synonyms for both languages, so sr and ri always have something to do.
constexpr const char* kSynonyms =
    "quick fast rapid swift\nbrown tan\njumps leaps hops\nlazy idle sluggish\ndog hound\nriver stream\n"
    "happy glad joyful\nold former\nfriends pals\nbig large\nparty celebration\nnight evening\n"
    "broken damaged\ncomputers machines\nwrite send\nprograms software\nwritten composed\npeople humans\n"
    "read study\nsmall little tiny\ncat kitty\nwarm cozy\nchildren kids\ngarden yard\nplayed frolicked\n"
    "今天 今日\n天气 气候\n公园 园林\n散步 漫步 溜达\n喜欢 喜爱 爱好\n安静 宁静\n图书馆 书馆\n读书 看书\n"
    "学习 念书\n城市 都市\n夜晚 晚上\n美丽 漂亮\n街道 马路\n行人 路人\n学生 学子\n认真 仔细\n老师 教师\n"
    "积极 主动\n回答 解答\n问题 疑问\n";

Augmenter makeAugmenter(std::vector<OperationRate> ops, int variants = 4, double maxShare = 0.5) {
  AugmentOptions o;
  o.ops = std::move(ops);
  o.variants = variants;
  o.maxChangedShare = maxShare;
  AugmentResources r;
  r.synonyms.add(UserSynonyms::parse(kSynonyms, "test-synonyms.txt"));
  r.english = StopWords::shipped("en");
  r.chinese = StopWords::shipped("zh");
  return Augmenter(std::move(o), std::move(r));
}

bool isBoundary(std::string_view text, std::size_t at) {
  return at == 0 || at >= text.size() || (static_cast<unsigned char>(text[at]) & 0xC0) != 0x80;
}

// Words a change must never touch: stop words, numbers, words in protected spans.
std::vector<Word> untouchable(std::string_view text) {
  WordSplitter splitter;
  const SplitText s = splitter.split(text);
  const StopWords stop = StopWords::shipped(s.language == Language::Chinese ? "zh" : "en");
  const auto spans = ProtectedSpans().find(text);
  std::vector<Word> out;
  for (std::size_t i = 0; i < s.words.size(); ++i)
    if (stop.contains(s.word(i)) || s.words[i].number || overlaps(spans, s.words[i].begin, s.words[i].end)) out.push_back(s.words[i]);
  return out;
}

// Every property a variant of `text` must have, whatever the operation.
void checkVariant(const std::string& text, const Variant& v) {
  QCOMPARE(applyChangeLog(text, v.log), v.output);
  QVERIFY(v.output != text);
  QVERIFY(!v.log.edits.empty());
  std::size_t prevEnd = 0;
  for (const Edit& e : v.log.edits) {
    QVERIFY(e.sourceBegin >= prevEnd);
    prevEnd = e.sourceEnd;
    QCOMPARE(std::string(text.substr(e.sourceBegin, e.sourceEnd - e.sourceBegin)), e.oldToken);
    QCOMPARE(v.output.substr(e.outputBegin, e.outputEnd - e.outputBegin), e.newToken);
    QVERIFY(isBoundary(text, e.sourceBegin) && isBoundary(text, e.sourceEnd));
    QVERIFY(isBoundary(v.output, e.outputBegin) && isBoundary(v.output, e.outputEnd));
    QVERIFY(!e.from.empty());
    for (const Word& w : untouchable(text)) {
      if (e.sourceBegin == e.sourceEnd) QVERIFY2(!(w.begin < e.sourceBegin && e.sourceBegin < w.end), e.newToken.c_str());
      else QVERIFY2(e.sourceEnd <= w.begin || w.end <= e.sourceBegin, (text.substr(w.begin, w.end - w.begin) + " touched by " + shortName(e.op)).c_str());
    }
  }
  QVERIFY(!fts::data::firstInvalidUtf8(v.output));
}

std::size_t wordCount(const std::string& text) { return WordSplitter().split(text).words.size(); }

std::size_t count(std::string_view s, char c) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), c)); }

}  // namespace

class TestAugmentOps : public QObject {
  Q_OBJECT

 private slots:
  void everyOperationReplaysItsLog_data() {
    QTest::addColumn<QString>("op");
    QTest::addColumn<bool>("chinese");
    for (const char* op : {"sr", "ri", "rs", "rd", "aeda", "char"}) {
      QTest::newRow((std::string(op) + " en").c_str()) << QString(op) << false;
      QTest::newRow((std::string(op) + " zh").c_str()) << QString(op) << true;
    }
  }
  void everyOperationReplaysItsLog() {
    QFETCH(QString, op);
    QFETCH(bool, chinese);
    const Operation operation = *parseOperation(op.toStdString());
    const Augmenter aug = makeAugmenter({{operation, operation == Operation::Punctuation ? 0.3 : 0.2}});
    std::size_t variants = 0;
    for (const auto& text : chinese ? kChinese : kEnglish) {
      for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const auto vs = aug.augment(text, {seed, 0, 1});
        for (std::size_t i = 0; i < vs.size(); ++i) {
          checkVariant(text, vs[i]);
          QCOMPARE(vs[i].ops, std::vector<Operation>{operation});
          for (const Edit& e : vs[i].log.edits) QCOMPARE(e.op, operation);
          for (std::size_t j = 0; j < i; ++j) QVERIFY(vs[i].output != vs[j].output);  // no two variants alike
          if (chinese) QCOMPARE(count(vs[i].output, ' '), count(text, ' '));             // no spaces added
        }
        variants += vs.size();
      }
    }
    QVERIFY2(variants > (chinese ? kChinese : kEnglish).size() * 20 * 2, std::to_string(variants).c_str());
  }

  void sameSeedSameOutputOtherSeedOther() {
    const Augmenter a = makeAugmenter({{Operation::SynonymReplacement, 0.2}, {Operation::RandomInsertion, 0.2},
                                       {Operation::RandomSwap, 0.2}, {Operation::RandomDeletion, 0.2},
                                       {Operation::Punctuation, 0.3}, {Operation::CharacterNoise, 0.2}}, 6);
    const Augmenter b = makeAugmenter(a.options().ops, 6);  // built anew: nothing carried over
    bool differs = false;
    for (const auto& text : kEnglish) {
      const auto x = a.augment(text, {42, 0, 7}), y = b.augment(text, {42, 0, 7});
      QCOMPARE(x.size(), y.size());
      for (std::size_t i = 0; i < x.size(); ++i) QCOMPARE(x[i].output, y[i].output);
      const auto z = a.augment(text, {43, 0, 7}), e1 = a.augment(text, {42, 1, 7});
      differs |= z.empty() || z[0].output != x[0].output;
      differs |= e1.empty() || e1[0].output != x[0].output;  // another epoch draws afresh
    }
    QVERIFY(differs);
  }

  void sameOutputOnAnyThreadCount() {
    fts::data::Dataset ds;
    for (int r = 0; r < 40; ++r) {
      fts::data::Sample s;
      s.text = r % 2 ? kChinese[r % kChinese.size()] : kEnglish[r % kEnglish.size()];
      s.line = r + 2;
      ds.samples.push_back(s);
    }
    const Augmenter aug = makeAugmenter({{Operation::SynonymReplacement, 0.1}, {Operation::RandomDeletion, 0.1},
                                         {Operation::CharacterNoise, 0.1}});
    DatasetAugmentOptions one, three;
    one.seed = three.seed = 5;
    one.threads = 1;
    three.threads = 3;
    const auto x = augmentSamples(ds, aug, one), y = augmentSamples(ds, aug, three);
    QCOMPARE(x.size(), y.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      QCOMPARE(x[i].size(), y[i].size());
      for (std::size_t j = 0; j < x[i].size(); ++j) QCOMPARE(toJsonLine(x[i][j]), toJsonLine(y[i][j]));
    }
  }

  void alphaBoundsChangedWords() {
    const std::string text = "Programs must be written for people to read, and only incidentally for machines to execute.";
    const std::size_t words = wordCount(text);
    for (double alpha : {0.05, 0.1, 0.2, 0.3}) {
      const std::size_t n = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(alpha * words)));
      for (Operation op : {Operation::SynonymReplacement, Operation::RandomInsertion, Operation::RandomDeletion, Operation::RandomSwap}) {
        const Augmenter aug = makeAugmenter({{op, alpha}}, 3);
        QCOMPARE(aug.wordsToChange(alpha, words), n);
        for (std::uint64_t seed = 0; seed < 30; ++seed)
          for (const auto& v : aug.augment(text, {seed, 0, 1})) {
            // A swap moves two words; the others change one word each.
            const std::size_t most = op == Operation::RandomSwap ? 2 * n : n;
            QVERIFY2(v.log.edits.size() <= most, (std::string(shortName(op)) + " " + std::to_string(v.log.edits.size())).c_str());
            if (op != Operation::RandomSwap && op != Operation::RandomInsertion) QCOMPARE(changedWordCount(v.log), v.log.edits.size());
          }
      }
    }
    // The share cap wins over a large alpha.
    const Augmenter capped = makeAugmenter({{Operation::RandomDeletion, 0.9}}, 2, 0.25);
    for (const auto& v : capped.augment(text, {1, 0, 1})) QVERIFY(v.log.edits.size() <= words / 4);
  }

  void userRegexProtectsText() {
    AugmentOptions o;
    o.ops = {{Operation::RandomDeletion, 0.5}, {Operation::CharacterNoise, 1.0}};
    o.variants = 6;
    o.protect.regex = "New York|Golden Gate";
    AugmentResources r;
    const Augmenter aug(o, r);
    const std::string text = "Travelers love New York because Golden Gate views remind them of distant western cities";
    for (std::uint64_t seed = 0; seed < 20; ++seed)
      for (const auto& v : aug.augment(text, {seed, 0, 1})) {
        QCOMPARE(applyChangeLog(text, v.log), v.output);
        QVERIFY2(v.output.find("New York") != std::string::npos && v.output.find("Golden Gate") != std::string::npos, v.output.c_str());
      }
    AugmentOptions bad = o;
    bad.protect.regex = "(unclosed";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Augmenter(bad, AugmentResources{}));
  }

  void protectedSpansFound() {
    const std::string text = "Visit https://example.com/a?b=1, ask @alice_b about 3.14 or 1,000 items (x86).";
    const auto spans = ProtectedSpans().find(text);
    std::vector<std::string> found;
    for (const auto& s : spans) found.push_back(text.substr(s.begin, s.end - s.begin));
    const std::vector<std::string> expected = {"https://example.com/a?b=1", "@alice_b", "3.14", "1,000", "x86"};
    QCOMPARE(found, expected);
  }

  void wordsKeepOffsetsAndChineseIsSegmented() {
    WordSplitter splitter;
    const std::string en = "Don't stop, 42 cats!";
    const auto e = splitter.split(en);
    QCOMPARE(e.language, Language::English);
    std::vector<std::string> words;
    for (std::size_t i = 0; i < e.words.size(); ++i) words.emplace_back(e.word(i));
    QCOMPARE(words, (std::vector<std::string>{"Don't", "stop", "42", "cats"}));
    QVERIFY(e.words[2].number);

    const std::string zh = "我们一起去公园散步吧。";
    const auto z = splitter.split(zh);
    QCOMPARE(z.language, Language::Chinese);
    words.clear();
    for (std::size_t i = 0; i < z.words.size(); ++i) {
      words.emplace_back(z.word(i));
      QVERIFY(isBoundary(zh, z.words[i].begin) && isBoundary(zh, z.words[i].end));
      QVERIFY(z.words[i].cjk);
    }
    // Dictionary segmentation: words of two characters, not one character each.
    QVERIFY2(std::find(words.begin(), words.end(), "公园") != words.end(), zh.c_str());
    QVERIFY(std::find(words.begin(), words.end(), "我们") != words.end());
    QVERIFY(words.size() < fts::data::countCodePoints(zh) - 1);
  }

  void changeLogRoundTripsAndRejectsWrongLogs() {
    const Augmenter aug = makeAugmenter({{Operation::SynonymReplacement, 0.3}});
    const std::string text = kEnglish[1];
    const auto vs = aug.augment(text, {3, 0, 12});
    QVERIFY(!vs.empty());
    const Variant back = parseJsonLine(toJsonLine(vs[0]), "log.jsonl:1");
    QCOMPARE(toJsonLine(back), toJsonLine(vs[0]));
    QCOMPARE(back.sourceRow, 12);
    QCOMPARE(applyChangeLog(text, back.log), vs[0].output);
    ChangeLog wrong = vs[0].log;
    wrong.edits[0].oldToken = "nothing like it";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, applyChangeLog(text, wrong));
    wrong = vs[0].log;
    wrong.edits[0].sourceEnd = text.size() + 5;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, applyChangeLog(text, wrong));
    try {
      parseJsonLine("{\"source_row\": 1}", "log.jsonl:4");
      QFAIL("a broken line was accepted");
    } catch (const std::invalid_argument& e) {
      QVERIFY2(std::string(e.what()).find("log.jsonl:4") == 0, e.what());
    }
  }

  void opsSpecParses() {
    const auto ops = parseOperations("sr=0.1, ri=0.2,rs=0.1,rd=0.1,aeda=0.3,char=0.05");
    QCOMPARE(ops.size(), std::size_t{6});
    QCOMPARE(ops[5].op, Operation::CharacterNoise);
    QCOMPARE(ops[5].rate, 0.05);
    QCOMPARE(formatOperations(ops), std::string("sr=0.1,ri=0.2,rs=0.1,rd=0.1,aeda=0.3,char=0.05"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseOperations("xx=0.1"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseOperations("sr=2"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseOperations("sr=0.1,sr=0.2"));
  }

  void latinWordsInChineseTextLeaveNoDoubleSpace() {
    const Augmenter aug = makeAugmenter({{Operation::RandomDeletion, 0.3}}, 6);
    const std::string text = "我用 Linux 系统工作很多年了，也用 Debian 写程序。";
    bool deletedLatin = false;
    for (std::uint64_t seed = 0; seed < 30; ++seed)
      for (const auto& v : aug.augment(text, {seed, 0, 1})) {
        checkVariant(text, v);
        QVERIFY2(v.output.find("  ") == std::string::npos, v.output.c_str());
        deletedLatin |= v.output.find("Linux") == std::string::npos || v.output.find("Debian") == std::string::npos;
      }
    QVERIFY(deletedLatin);
  }

  void tooShortTextsGiveFewerVariantsNeverCopies() {
    const Augmenter aug = makeAugmenter({{Operation::RandomSwap, 0.1}}, 4);
    QVERIFY(aug.augment("Hello", {1, 0, 1}).empty());  // one word: nothing to swap
    QVERIFY(aug.augment("", {1, 0, 1}).empty());
    const auto two = aug.augment("apples oranges", {1, 0, 1});
    QCOMPARE(two.size(), std::size_t{1});  // the only other order
    QCOMPARE(two[0].output, std::string("oranges apples"));
  }
};

QTEST_APPLESS_MAIN(TestAugmentOps)
#include "test_augment_ops.moc"
