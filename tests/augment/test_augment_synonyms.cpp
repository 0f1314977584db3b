// Synonym sources: WordNet read from Debian's wordnet-base files (synonyms, part of speech,
// morphology exceptions and rules, errors naming FILE:LINE), the user's synonym file (groups and
// HIT Cilin lines), word2vec vectors (cosine neighbours), and WordNet driving sr and ri.
#include "core/augment/Augmenter.h"
#include "core/augment/UserSynonyms.h"
#include "core/augment/WordNet.h"
#include "core/augment/WordVectors.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <fstream>

using namespace fts::augment;

namespace {

bool has(const std::vector<std::string>& v, const std::string& w) { return std::find(v.begin(), v.end(), w) != v.end(); }

std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

class TestAugmentSynonyms : public QObject {
  Q_OBJECT

  std::shared_ptr<const WordNet> wordnet_;

 private slots:
  void initTestCase() {
    if (!std::filesystem::exists(std::string(WordNet::kDebianFolder) + "/index.noun"))
      QSKIP("Debian's wordnet-base is not installed (/usr/share/wordnet)");
    wordnet_ = std::make_shared<const WordNet>(WordNet::load());
    QVERIFY(wordnet_->lemmaCount() > 140000);
  }

  void wordnetFindsKnownSynonyms() {
    const auto happy = wordnet_->synonyms("happy");
    QVERIFY(has(happy, "felicitous"));
    QVERIFY(has(happy, "glad"));
    QVERIFY(!has(happy, "happy"));
    // Part of speech narrows: "happy" is only an adjective.
    QVERIFY(wordnet_->synonyms("happy", PartOfSpeech::Noun).empty());
    QVERIFY(has(wordnet_->synonyms("happy", PartOfSpeech::Adjective), "glad"));
    // Multi-word lemmas come with spaces; capitalised input is found.
    QVERIFY(has(wordnet_->synonyms("Car"), "automobile"));
    QVERIFY(has(wordnet_->synonyms("ice_cream"), "icecream"));
  }

  void wordnetMorphology() {
    // Exceptions (noun.exc, verb.exc, adj.exc)...
    QVERIFY(has(wordnet_->baseForms("geese", PartOfSpeech::Noun), "goose"));
    QVERIFY(has(wordnet_->baseForms("went", PartOfSpeech::Verb), "go"));
    QVERIFY(has(wordnet_->baseForms("better", PartOfSpeech::Adjective), "good"));
    // ...and morphy's suffix rules.
    QVERIFY(has(wordnet_->baseForms("dogs", PartOfSpeech::Noun), "dog"));
    QVERIFY(has(wordnet_->baseForms("running", PartOfSpeech::Verb), "run"));
    QVERIFY(has(wordnet_->baseForms("boxes", PartOfSpeech::Noun), "box"));
    QVERIFY(wordnet_->baseForms("qwzxv", PartOfSpeech::Unknown).empty());
    // Synonyms of an inflected form are those of its base form.
    QVERIFY(has(wordnet_->synonyms("geese"), "fathead"));
    QVERIFY(!has(wordnet_->synonyms("geese"), "goose"));
  }

  void wordnetGuessesThePartOfSpeech() {
    QCOMPARE(wordnet_->likelyPartOfSpeech("fox"), PartOfSpeech::Noun);
    QCOMPARE(wordnet_->likelyPartOfSpeech("jumps"), PartOfSpeech::Verb);
    QCOMPARE(wordnet_->likelyPartOfSpeech("happy"), PartOfSpeech::Adjective);
    QCOMPARE(wordnet_->likelyPartOfSpeech("qwzxv"), PartOfSpeech::Unknown);
    // "fox" is a noun far more often than a verb ("to confuse"): the guess keeps the verb senses out.
    QVERIFY(has(wordnet_->synonyms("fox"), "confuse"));
    std::vector<std::string> guessed, all;
    WordNetSynonyms(wordnet_).find("fox", PartOfSpeech::Unknown, guessed);
    WordNetSynonyms(wordnet_, false).find("fox", PartOfSpeech::Unknown, all);
    QVERIFY(!has(guessed, "confuse"));
    QVERIFY(has(all, "confuse"));
    QVERIFY(has(guessed, "dodger"));
    // Proper-noun senses ("Fox": Charles James Fox) give no synonyms of the common word.
    QVERIFY(!has(all, "Charles James Fox"));
  }

  void wordnetErrorsNameFileAndLine() {
    QTemporaryDir dir;
    const std::string data = "00000000 05 n 02 big_cat 0 lion 0 000 | a gloss never read\n";
    for (const char* pos : {"noun", "verb", "adj", "adv"}) {
      writeFile(dir, std::string("data.") + pos, std::string(pos) == "noun" ? data : "");
      writeFile(dir, std::string(pos) + ".exc", std::string(pos) == "noun" ? "lions lion\n" : "");
      writeFile(dir, std::string("index.") + pos, std::string(pos) == "noun" ? "  1 licence header\nlion n 1 0 1 0 00000000\n" : "");
    }
    const WordNet tiny = WordNet::load(dir.path().toStdString());
    QCOMPARE(tiny.synonyms("lions"), std::vector<std::string>{"big cat"});
    writeFile(dir, "index.noun", "lion n 1 0 1 0 00000000\nbroken n x\n");
    const std::string e = errorOf([&] { WordNet::load(dir.path().toStdString()); });
    QVERIFY2(e.find("index.noun:2:") != std::string::npos, e.c_str());
    const std::string missing = errorOf([&] { WordNet::load("/nonexistent-wordnet"); });
    QVERIFY2(missing.find("wordnet-base") != std::string::npos, missing.c_str());
  }

  void userSynonymFileFormats() {
    const auto s = UserSynonyms::parse(
        "// my synonyms\nhappy glad, joyful\n\nbig,large\tgreat\n"
        "Aa01A01= 人 士 人物\nAa01A02# 相关 有关\nAa01A03@ 独自\n美丽，漂亮、好看\n",
        "syn.txt");
    QCOMPARE(s->name(), std::string("user:syn.txt"));
    std::vector<std::string> out;
    s->find("happy", PartOfSpeech::Unknown, out);
    QCOMPARE(out, (std::vector<std::string>{"glad", "joyful"}));
    out.clear();
    s->find("Big", PartOfSpeech::Unknown, out);
    QCOMPARE(out, (std::vector<std::string>{"big", "large", "great"}));
    out.clear();
    s->find("人", PartOfSpeech::Unknown, out);
    QCOMPARE(out, (std::vector<std::string>{"士", "人物"}));
    out.clear();
    s->find("相关", PartOfSpeech::Unknown, out);  // '#' groups are related words, not synonyms
    QVERIFY(out.empty());
    s->find("漂亮", PartOfSpeech::Unknown, out);
    QCOMPARE(out, (std::vector<std::string>{"美丽", "好看"}));
    QCOMPARE(s->groupCount(), std::size_t{4});

    const std::string badMarker = errorOf([] { UserSynonyms::parse("a b\nAa01A01! 人 士\n", "cilin.txt"); });
    QVERIFY2(badMarker.find("cilin.txt:2:") == 0, badMarker.c_str());
    const std::string badUtf8 = errorOf([] { UserSynonyms::parse("a b\nc \xff d\n", "syn.txt"); });
    QVERIFY2(badUtf8.find("syn.txt:2:3:") == 0, badUtf8.c_str());
  }

  void wordVectorNeighbours() {
    QTemporaryDir dir;
    const auto file = writeFile(dir, "vec.txt", "4 2\ncat 1 0\ndog 0.9 0.2\ncar 0 1\nkitten 0.95 0.05\n");
    const auto v = WordVectors::loadWord2VecText(file);
    QCOMPARE(v->size(), std::size_t{4});
    QCOMPARE(v->nearest("cat", 2, 0.5f), (std::vector<std::string>{"kitten", "dog"}));
    QCOMPARE(v->nearest("cat", 5, 0.99f), std::vector<std::string>{"kitten"});
    QVERIFY(v->nearest("unknown", 3, 0.f).empty());
    NeighbourSynonyms syn(v, 10, 0.9f);
    QCOMPARE(syn.name(), std::string("vectors:vec.txt"));
    std::vector<std::string> out;
    syn.find("car", PartOfSpeech::Unknown, out);
    QVERIFY(out.empty());  // nothing within cosine 0.9 of "car"

    const auto bad = writeFile(dir, "bad.txt", "3 2\ncat 1 0\ndog 0.9\n");
    const std::string e = errorOf([&] { WordVectors::loadWord2VecText(bad); });
    QVERIFY2(e.find("bad.txt:3:") != std::string::npos, e.c_str());
    const auto noHeader = writeFile(dir, "glove.txt", "cat 1 0\n");
    const std::string h = errorOf([&] { WordVectors::loadWord2VecText(noHeader); });
    QVERIFY2(h.find("glove.txt:1:") != std::string::npos, h.c_str());
  }

  void wordnetDrivesReplacementAndRecordsItsSource() {
    AugmentOptions o;
    o.ops = {{Operation::SynonymReplacement, 0.3}, {Operation::RandomInsertion, 0.2}};
    o.variants = 4;
    AugmentResources r;
    r.synonyms.add(std::make_shared<WordNetSynonyms>(wordnet_));
    r.english = StopWords::shipped("en");
    const Augmenter aug(o, r);
    const std::string text = "The happy children quickly painted a beautiful picture of the old house.";
    const auto vs = aug.augment(text, {9, 0, 1});
    QCOMPARE(vs.size(), std::size_t{4});
    for (const auto& v : vs) {
      QCOMPARE(applyChangeLog(text, v.log), v.output);
      for (const auto& e : v.log.edits) QCOMPARE(e.from, std::string("wordnet"));
    }
  }
};

QTEST_APPLESS_MAIN(TestAugmentSynonyms)
#include "test_augment_synonyms.moc"
