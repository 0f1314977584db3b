// N-gram overlap (core/data/Overlap.h): quotations inside longer texts are found with the exact
// shared run, runs one unit short of n are not, CJK is matched by characters and English by words
// (each skipping the other script), short texts count when they occur whole, empty texts match nothing.
#include "core/data/Overlap.h"

#include <QtTest>

#include <string>

using fts::data::OverlapIndex;
using fts::data::OverlapMatch;
using fts::data::OverlapOptions;
using fts::data::OverlapUnit;

namespace {

std::string shared(std::string_view text, const OverlapMatch& m) { return std::string(text.substr(m.begin, m.end - m.begin)); }

// "w1 w2 ... wN" with words that occur nowhere else.
std::string words(const char* prefix, int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += (out.empty() ? "" : " ") + std::string(prefix) + std::to_string(i);
  return out;
}

const char* kPoem = "《静夜思》李白\n床前明月光，\n疑是地上霜。\n举头望明月，\n低头思故乡。";

}  // namespace

class TestOverlap : public QObject {
  Q_OBJECT
 private slots:
  void unitsOfMixedText() {
    const std::string text = "Hello, 世界! Don't\tＡＢＣ 〒々";
    const auto u = fts::data::overlapUnits(text);
    // words: hello, don, t, abc (full-width made ASCII); chars: 世, 界, 々 (〒 is a symbol)
    QCOMPARE(u.words.size(), std::size_t{4});
    QCOMPARE(u.chars.size(), std::size_t{3});
    QCOMPARE(text.substr(u.words[0].begin, u.words[0].end - u.words[0].begin), std::string("Hello"));
    QCOMPARE(text.substr(u.words[1].begin, u.words[1].end - u.words[1].begin), std::string("Don"));
    QCOMPARE(text.substr(u.words[2].begin, u.words[2].end - u.words[2].begin), std::string("t"));
    QCOMPARE(text.substr(u.words[3].begin, u.words[3].end - u.words[3].begin), std::string("ＡＢＣ"));
    QCOMPARE(text.substr(u.chars[0].begin, u.chars[0].end - u.chars[0].begin), std::string("世"));
    QCOMPARE(text.substr(u.chars[2].begin, u.chars[2].end - u.chars[2].begin), std::string("々"));
    // Normalised like the duplicate check: case and width do not matter.
    QCOMPARE(u.words[0].hash, fts::data::overlapUnits("HELLO").words[0].hash);
    QCOMPARE(u.words[3].hash, fts::data::overlapUnits("abc").words[0].hash);
  }

  void englishQuotationInsideLongerLine() {
    OverlapIndex index;
    QCOMPARE(index.add("Any sufficiently advanced technology is indistinguishable from magic. -- Arthur C. Clarke"), std::size_t{0});
    const std::string corpus =
        "magic 1. As yet unexplained, or too complicated to explain; compare Clarke's Third Law: \"ANY sufficiently "
        "advanced technology is indistinguishable from magic.\" 2. Characteristic of something that works.";
    const auto found = index.find(corpus);
    QCOMPARE(found.size(), std::size_t{1});
    QCOMPARE(found[0].against, std::size_t{0});
    QVERIFY(found[0].unit == OverlapUnit::Words);
    QCOMPARE(found[0].units, 8);
    QCOMPARE(shared(corpus, found[0]), std::string("ANY sufficiently advanced technology is indistinguishable from magic"));
    QCOMPARE(found[0].againstBegin, std::size_t{0});
    QCOMPARE(found[0].againstEnd, std::string("Any sufficiently advanced technology is indistinguishable from magic").size());
  }

  void chinesePoemLineInsideLongerEntry() {
    OverlapIndex index;
    index.add("一段与诗无关的文字，讲的是天气和山水。");
    index.add(kPoem);
    const std::string corpus = "今夜读诗：“疑是地上霜。举头望明月，”心中想起故乡。 -- 《唐诗三百首》";
    const auto found = index.find(corpus);
    QCOMPARE(found.size(), std::size_t{1});
    QCOMPARE(found[0].against, std::size_t{1});
    QVERIFY(found[0].unit == OverlapUnit::Chars);
    QCOMPARE(found[0].units, 10);  // 疑是地上霜举头望明月: punctuation ignored
    QCOMPARE(shared(corpus, found[0]), std::string("疑是地上霜。举头望明月"));
  }

  void nearMissesBelowNAreNotFound() {
    OverlapIndex index;  // 8 words, 10 CJK characters
    index.add(words("a", 1, 20));
    index.add("春眠不觉晓处处闻啼鸟夜来风雨声花落知多少");
    // Seven shared words inside longer texts: no overlap; eight: overlap.
    QVERIFY(index.find(words("x", 1, 10) + " " + words("a", 5, 11) + " " + words("y", 1, 10)).empty());
    const auto eight = index.find(words("x", 1, 10) + " " + words("a", 5, 12) + " " + words("y", 1, 10));
    QCOMPARE(eight.size(), std::size_t{1});
    QCOMPARE(eight[0].units, 8);
    // Nine shared characters: none; ten: found.
    QVERIFY(index.find("今天天气很好。不觉晓处处闻啼鸟夜，我们去公园散步吧。").empty());
    const auto ten = index.find("今天天气很好。不觉晓处处闻啼鸟夜来，我们去公园散步吧。");
    QCOMPARE(ten.size(), std::size_t{1});
    QCOMPARE(ten[0].units, 10);
    // Seven words in order but interrupted: no run.
    QVERIFY(index.find(words("a", 1, 4) + " gap " + words("a", 5, 8) + " " + words("z", 1, 10)).empty());
  }

  void sizesAreChosen() {
    OverlapOptions o;
    o.ngramWords = 3;
    o.ngramChars = 4;
    OverlapIndex index(o);
    index.add("the quick brown fox jumps");
    index.add("床前明月光");
    QCOMPARE(index.find("a quick brown fox").size(), std::size_t{1});
    QCOMPARE(index.find("a quick brown cat").size(), std::size_t{0});
    QCOMPARE(index.find("看前明月光").size(), std::size_t{1});
    QCOMPARE(index.find("看前明月亮").size(), std::size_t{0});
  }

  void cjkAndAsciiMixes() {
    OverlapIndex index;
    index.add(kPoem);
    index.add("Install the package with apt and then restart the service on every machine.");
    // Chinese lines around an English word: the characters still form one run.
    const std::string a = "In Debian 床前明月光 said the fortune, 疑是地上霜 and more";
    const auto fa = index.find(a);
    QCOMPARE(fa.size(), std::size_t{1});
    QCOMPARE(fa[0].against, std::size_t{0});
    QCOMPARE(fa[0].units, 10);
    QCOMPARE(shared(a, fa[0]), std::string("床前明月光 said the fortune, 疑是地上霜"));
    // English words around Chinese ones: the words form one run.
    const std::string b = "请先 install the package 然后 with apt and then restart 服务";
    const auto fb = index.find(b);
    QCOMPARE(fb.size(), std::size_t{1});
    QCOMPARE(fb[0].against, std::size_t{1});
    QVERIFY(fb[0].unit == OverlapUnit::Words);
    QCOMPARE(fb[0].units, 8);
    QCOMPARE(shared(b, fb[0]), std::string("install the package 然后 with apt and then restart"));
    // A Chinese text and an English one share nothing.
    QVERIFY(index.find("Bright moonlight before my bed, I took it for frost upon the ground.").empty());
  }

  void shortTextsCountWhenWhole() {
    OverlapIndex index;  // whole texts from 4 words or 5 CJK characters
    index.add("Garbage In, Gospel Out");
    index.add("Gospel out, then");  // 3 words: too short to count whole
    index.add("精诚所至，金石为开。");  // 8 characters
    const std::string jargon = "GIGO: 1. garbage in, gospel out: the belief that output of a computer is right.";
    const auto g = index.find(jargon);
    QCOMPARE(g.size(), std::size_t{1});
    QCOMPARE(g[0].against, std::size_t{0});
    QCOMPARE(g[0].units, 4);
    QCOMPARE(shared(jargon, g[0]), std::string("garbage in, gospel out"));
    QVERIFY(index.find("Garbage in, gospel").empty());
    const auto c = index.find("古人说：精诚所至，金石为开，此言不虚。");
    QCOMPARE(c.size(), std::size_t{1});
    QCOMPARE(c[0].against, std::size_t{2});
    QCOMPARE(c[0].units, 8);
    // The other way round: a short text searched, found whole inside an indexed one.
    const auto whole = index.find("精诚所至金石");
    QCOMPARE(whole.size(), std::size_t{1});
    QCOMPARE(whole[0].against, std::size_t{2});
    QCOMPARE(whole[0].units, 6);
    QVERIFY(index.find("精诚所至").empty());  // 4 characters: too short to mean anything
  }

  void longestRunPerPairAndEveryPair() {
    OverlapIndex index;
    index.add(words("a", 1, 30));
    index.add(words("b", 1, 30));
    // Two runs with text 0 (9 and 12 words), one with text 1 (8 words).
    const std::string q = words("a", 1, 9) + " stop " + words("b", 3, 10) + " stop " + words("a", 15, 26);
    const auto found = index.find(q);
    QCOMPARE(found.size(), std::size_t{2});
    QCOMPARE(found[0].against, std::size_t{0});
    QCOMPARE(found[0].units, 12);
    QCOMPARE(shared(q, found[0]), words("a", 15, 26));
    QCOMPARE(found[1].against, std::size_t{1});
    QCOMPARE(found[1].units, 8);
    QCOMPARE(shared(q, found[1]), words("b", 3, 10));
  }

  void repeatedWindowsDoNotConfuseRuns() {
    OverlapIndex index;
    index.add("la la la la la la la la la la la la");  // 12 words, every window the same
    const auto found = index.find("sing la la la la la la la la la la now");
    QCOMPARE(found.size(), std::size_t{1});
    QCOMPARE(found[0].units, 10);
  }

  void emptyTexts() {
    OverlapIndex empty;
    QVERIFY(empty.find("anything at all, even 床前明月光疑是地上霜").empty());
    OverlapIndex index;
    QCOMPARE(index.add(""), std::size_t{0});
    QCOMPARE(index.add("  \n\t。，！ -- ... "), std::size_t{1});
    QCOMPARE(index.size(), std::size_t{2});
    QVERIFY(index.find("").empty());
    QVERIFY(index.find("   ").empty());
    QVERIFY(index.find("。，！").empty());
    QVERIFY(fts::data::overlapUnits("").words.empty());
    QVERIFY(fts::data::overlapUnits("，。").chars.empty());
  }

  void invalidUtf8NeverCrashes() {
    OverlapIndex index;
    index.add(std::string("abc \xE9\xFF def ") + words("w", 1, 8));
    const auto found = index.find(std::string("\xC3 ") + words("w", 1, 8) + " \xF0\x9F");
    QCOMPARE(found.size(), std::size_t{1});
    QCOMPARE(found[0].units, 8);
  }
};

QTEST_GUILESS_MAIN(TestOverlap)
#include "test_overlap.moc"
