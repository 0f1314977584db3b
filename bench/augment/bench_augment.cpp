// Augmentation throughput: samples per second for each operation, on one thread, over English
// sentences (lines of Debian's fortunes) and Chinese ones (fortunes-zh `chinese`), one variant per
// sample through Augmenter::applyOnce (the work the on-the-fly transform does per row).
//   bench_augment [--english N] [--chinese N] [--write DIR] [--wordnet DIR] [--zh-synonyms FILE] [--passes 3]
// Each figure is the best of --passes timed passes.
// --write DIR saves the sentences used (english.txt, chinese.txt) so nlpaug_bench.py measures the same.
#include "core/augment/Augmenter.h"
#include "core/augment/UserSynonyms.h"
#include "core/augment/WordNet.h"
#include "core/data/SeededShuffle.h"
#include "core/data/Utf8.h"
#include "core/util/AtomicFile.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace fts::augment;

namespace {

constexpr const char* kFortunes = "/usr/share/games/fortunes";

// Removes ANSI colour escapes (ESC [ ... letter), which Debian's Chinese fortunes carry.
std::string stripEscapes(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      i += 2;
      while (i < line.size() && !((line[i] >= 'A' && line[i] <= 'Z') || (line[i] >= 'a' && line[i] <= 'z'))) ++i;
      continue;
    }
    out.push_back(line[i]);
  }
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  std::size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  return s.substr(b);
}

// Lines of the given fortune files: no "%" separators, no blank lines, at least minUnits words
// (English: spaces + 1) or CJK characters (Chinese).
std::vector<std::string> fortuneLines(const std::vector<fs::path>& files, bool chinese, std::size_t minUnits) {
  std::vector<std::string> out;
  for (const auto& f : files) {
    const std::string text = fts::readWholeFile(f);
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t nl = text.find('\n', at);
      if (nl == std::string::npos) nl = text.size();
      std::string line = trim(stripEscapes(std::string_view(text).substr(at, nl - at)));
      at = nl + 1;
      if (line.empty() || line == "%" || fts::data::firstInvalidUtf8(line)) continue;
      std::size_t units = 0;
      if (chinese) {
        for (std::size_t i = 0; i < line.size();) units += fts::data::isCjk(fts::data::decodeUtf8(line, i));
      } else {
        units = 1;
        for (char c : line) units += c == ' ';
      }
      if (units >= minUnits) out.push_back(std::move(line));
    }
  }
  return out;
}

std::vector<std::string> repeatTo(const std::vector<std::string>& lines, std::size_t n) {
  std::vector<std::string> out;
  out.reserve(n);
  while (!lines.empty() && out.size() < n) out.push_back(lines[out.size() % lines.size()]);
  return out;
}

// The best of `passes` timed passes (the machine is shared: the fastest pass is the least disturbed).
int passes = 3;

void measure(const char* lang, const Augmenter& aug, Operation op, double rate, const std::vector<std::string>& texts) {
  std::size_t changed = 0, edits = 0;
  double s = 1e300, first = 0;
  for (int pass = 0; pass < passes; ++pass) {
    fts::data::SeededRandom rng(12345);
    changed = edits = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& t : texts) {
      const auto v = aug.applyOnce(op, rate, t, rng);
      if (v) ++changed, edits += v->log.edits.size();
    }
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (pass == 0) first = took;  // for sr and ri: WordNet's answer cache still cold
    s = std::min(s, took);
  }
  std::printf("%-3s %-5s rate %-5.3g %8zu samples %8.3f s %10.0f samples/s  (%.1f%% changed, %.2f edits each; first pass %.0f/s)\n",
              lang, shortName(op), rate, texts.size(), s, texts.size() / s, 100.0 * changed / texts.size(),
              changed ? double(edits) / changed : 0.0, texts.size() / first);
  std::fflush(stdout);
}

// Augmenter::augment with every operation and n variants a sample (what `ftstudio augment` and the
// on-the-fly transform run): the split is shared by a sample's variants.
void measureMix(const char* lang, const Augmenter& aug, const std::vector<std::string>& texts) {
  std::size_t variants = 0;
  double s = 1e300;
  for (int pass = 0; pass < passes; ++pass) {
    variants = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < texts.size(); ++i) variants += aug.augment(texts[i], {1, 0, static_cast<std::int64_t>(i + 1)}).size();
    s = std::min(s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("%-3s mix n=%d (%s) %8zu samples %8.3f s %10.0f samples/s, %.0f variants/s\n", lang, aug.options().variants,
              formatOperations(aug.options().ops).c_str(), texts.size(), s, texts.size() / s, variants / s);
}

// The word splitting every operation starts with (ICU), alone: the floor under every figure above.
void measureSplit(const char* lang, Language language, const std::vector<std::string>& texts) {
  WordSplitter splitter;
  std::size_t words = 0;
  double s = 1e300;
  for (int pass = 0; pass < passes; ++pass) {
    words = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& t : texts) words += splitter.split(t, language).words.size();
    s = std::min(s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("%-3s split            %8zu samples %8.3f s %10.0f samples/s  (%.1f words each)\n", lang, texts.size(), s,
              texts.size() / s, double(words) / texts.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t nEnglish = 100000, nChinese = 10000;
  std::string writeDir, wordnetDir = WordNet::kDebianFolder, zhSynonyms;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--english")) nEnglish = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--chinese")) nChinese = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--write")) writeDir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--wordnet")) wordnetDir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--zh-synonyms")) zhSynonyms = argv[i + 1];
    else if (!std::strcmp(argv[i], "--passes")) passes = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  std::vector<fs::path> englishFiles;
  for (const auto& e : fs::directory_iterator(kFortunes)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || e.path().has_extension() || name == "chinese" || name == "tang300" || name == "song100") continue;
    englishFiles.push_back(e.path());
  }
  std::sort(englishFiles.begin(), englishFiles.end());
  const auto english = repeatTo(fortuneLines(englishFiles, false, 4), nEnglish);
  const auto chinese = repeatTo(fortuneLines({fs::path(kFortunes) / "chinese"}, true, 8), nChinese);
  if (english.empty() || chinese.empty()) {
    std::fprintf(stderr, "no sentences: install Debian's fortunes, fortunes-min and fortunes-zh\n");
    return 1;
  }
  if (!writeDir.empty()) {
    fs::create_directories(writeDir);
    std::string e, c;
    for (const auto& l : english) e += l + "\n";
    for (const auto& l : chinese) c += l + "\n";
    fts::writeFileAtomically(fs::path(writeDir) / "english.txt", e);
    fts::writeFileAtomically(fs::path(writeDir) / "chinese.txt", c);
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto wordnet = std::make_shared<const WordNet>(WordNet::load(wordnetDir));
  std::printf("WordNet loaded in %.2f s (%zu lemmas)\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
              wordnet->lemmaCount());

  AugmentOptions o;
  AugmentResources r;
  r.synonyms.add(std::make_shared<WordNetSynonyms>(wordnet));
  if (!zhSynonyms.empty()) r.synonyms.add(UserSynonyms::load(zhSynonyms));
  r.english = StopWords::shipped("en");
  r.chinese = StopWords::shipped("zh");
  o.language = Language::English;
  const Augmenter en(o, r);
  o.language = Language::Chinese;
  const Augmenter zh(o, r);

  std::printf("%zu English sentences (%zu distinct lines of fortunes), %zu Chinese (fortunes-zh chinese), one thread, best of %d passes\n",
              english.size(), fortuneLines(englishFiles, false, 4).size(), chinese.size(), passes);
  const std::pair<Operation, double> ops[] = {{Operation::SynonymReplacement, 0.1}, {Operation::RandomInsertion, 0.1},
                                              {Operation::RandomSwap, 0.1},         {Operation::RandomDeletion, 0.1},
                                              {Operation::Punctuation, 0.3},        {Operation::CharacterNoise, 0.1}};
  measureSplit("en", Language::English, english);
  measureSplit("zh", Language::Chinese, chinese);
  for (const auto& [op, rate] : ops) measure("en", en, op, rate, english);
  for (const auto& [op, rate] : ops) {
    if ((op == Operation::SynonymReplacement || op == Operation::RandomInsertion) && zhSynonyms.empty()) {
      std::printf("zh  %-5s (no Chinese synonym source: give --zh-synonyms FILE)\n", shortName(op));
      continue;
    }
    measure("zh", zh, op, rate, chinese);
  }
  o.ops = {{Operation::SynonymReplacement, 0.1}, {Operation::RandomInsertion, 0.1}, {Operation::RandomSwap, 0.1},
           {Operation::RandomDeletion, 0.1},     {Operation::Punctuation, 0.3},     {Operation::CharacterNoise, 0.1}};
  o.variants = 4;
  o.language = Language::English;
  measureMix("en", Augmenter(o, r), english);
  o.language = Language::Chinese;
  measureMix("zh", Augmenter(o, r), chinese);
  return 0;
}
