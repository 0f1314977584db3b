#include "core/augment/WordNet.h"

#include "core/util/AtomicFile.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace fts::augment {
namespace {

constexpr const char* kPosNames[4] = {"noun", "verb", "adj", "adv"};

int posIndex(PartOfSpeech pos) {
  switch (pos) {
    case PartOfSpeech::Noun: return 0;
    case PartOfSpeech::Verb: return 1;
    case PartOfSpeech::Adjective: return 2;
    case PartOfSpeech::Adverb: return 3;
    default: return -1;
  }
}

// Morphy's detachment rules (WordNet's morph.c): suffix -> replacement, per part of speech.
struct Rule {
  std::string_view suffix, ending;
};
constexpr Rule kNounRules[] = {{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}};
constexpr Rule kVerbRules[] = {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}};
constexpr Rule kAdjRules[] = {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};

std::string fileError(const std::string& file, std::size_t line, const std::string& what) {
  return file + ":" + std::to_string(line) + ": " + what;
}

std::string readWordNetFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error(path.string() + ": WordNet file not found (Debian: apt-get install wordnet-base, or give the folder holding index.noun, data.noun, noun.exc ...)");
  return readWholeFile(path);
}

// Calls f(line, lineNumber) for every line of text.
template <typename F>
void forEachLine(std::string_view text, F&& f) {
  std::size_t number = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(at, nl - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line, ++number);
    at = nl + 1;
  }
}

// Splits on single spaces (WordNet's separator), skipping empty fields.
std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < line.size()) {
    while (at < line.size() && line[at] == ' ') ++at;
    std::size_t end = line.find(' ', at);
    if (end == std::string_view::npos) end = line.size();
    if (end > at) out.push_back(line.substr(at, end - at));
    at = end;
  }
  return out;
}

bool parseUnsigned(std::string_view s, std::uint64_t& value, int base = 10) {
  if (s.empty()) return false;
  value = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    value = value * base + d;
  }
  return true;
}

std::string lemmaKey(std::string_view word) {
  std::string key(word);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    else if (c == ' ') c = '_';
  }
  return key;
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

WordNet WordNet::load(const std::filesystem::path& folder) {
  WordNet wn;
  for (int p = 0; p < 4; ++p) {
    PosFiles& files = wn.pos_[p];
    const std::string indexPath = (folder / ("index." + std::string(kPosNames[p]))).string();
    files.dataPath = (folder / ("data." + std::string(kPosNames[p]))).string();
    const std::string excPath = (folder / (std::string(kPosNames[p]) + ".exc")).string();
    const std::string index = readWordNetFile(indexPath);
    files.data = readWordNetFile(files.dataPath);

    // index.POS: lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offset...
    // Lines starting with a space are the licence header.
    forEachLine(index, [&](std::string_view line, std::size_t number) {
      if (line.empty() || line.front() == ' ') return;
      const auto f = fields(line);
      std::uint64_t synsets = 0, pointers = 0;
      if (f.size() < 4 || !parseUnsigned(f[2], synsets) || !parseUnsigned(f[3], pointers) ||
          f.size() != 4 + pointers + 2 + synsets)
        throw std::runtime_error(fileError(indexPath, number, "not a WordNet index line (lemma pos synset_cnt p_cnt ... offsets)"));
      std::uint64_t tagged = 0;
      if (!parseUnsigned(f[f.size() - synsets - 1], tagged))
        throw std::runtime_error(fileError(indexPath, number, "tagsense_cnt '" + std::string(f[f.size() - synsets - 1]) + "' is not a number"));
      std::vector<std::uint32_t> offsets;
      offsets.reserve(synsets);
      for (std::size_t i = f.size() - synsets; i < f.size(); ++i) {
        std::uint64_t off = 0;
        if (!parseUnsigned(f[i], off) || off >= files.data.size())
          throw std::runtime_error(fileError(indexPath, number, "synset offset '" + std::string(f[i]) + "' is not a byte offset into " + files.dataPath));
        offsets.push_back(static_cast<std::uint32_t>(off));
      }
      files.index.emplace(std::string(f[0]), PosFiles::Entry{std::move(offsets), static_cast<std::uint32_t>(tagged)});
    });

    // POS.exc: inflected base [base...]
    const std::string exc = readWordNetFile(excPath);
    forEachLine(exc, [&](std::string_view line, std::size_t number) {
      if (line.empty()) return;
      const auto f = fields(line);
      if (f.size() < 2) throw std::runtime_error(fileError(excPath, number, "an exception line needs an inflected form and a base form"));
      auto& bases = files.exceptions[std::string(f[0])];
      for (std::size_t i = 1; i < f.size(); ++i) bases.emplace_back(f[i]);
    });
  }
  return wn;
}

std::size_t WordNet::lemmaCount() const {
  std::size_t n = 0;
  for (const auto& p : pos_) n += p.index.size();
  return n;
}

bool WordNet::isLemma(std::string_view lemma, PartOfSpeech pos) const {
  const int p = posIndex(pos);
  if (p < 0) {
    for (const auto& files : pos_)
      if (files.index.find(lemma) != files.index.end()) return true;
    return false;
  }
  return pos_[p].index.find(lemma) != pos_[p].index.end();
}

std::vector<std::string> WordNet::baseForms(std::string_view word, PartOfSpeech pos) const {
  const std::string key = lemmaKey(word);
  std::vector<std::string> out;
  auto add = [&](std::string form, int p) {
    if (pos_[p].index.find(form) == pos_[p].index.end()) return;
    if (std::find(out.begin(), out.end(), form) == out.end()) out.push_back(std::move(form));
  };
  const int only = posIndex(pos);
  for (int p = 0; p < 4; ++p) {
    if (only >= 0 && p != only) continue;
    add(key, p);
    if (auto it = pos_[p].exceptions.find(key); it != pos_[p].exceptions.end())
      for (const auto& base : it->second) add(base, p);
    const Rule* rules = nullptr;
    std::size_t count = 0;
    if (p == 0) rules = kNounRules, count = std::size(kNounRules);
    if (p == 1) rules = kVerbRules, count = std::size(kVerbRules);
    if (p == 2) rules = kAdjRules, count = std::size(kAdjRules);
    for (std::size_t r = 0; r < count; ++r)
      if (endsWith(key, rules[r].suffix))
        add(key.substr(0, key.size() - rules[r].suffix.size()) + std::string(rules[r].ending), p);
  }
  return out;
}

void WordNet::synsetWords(int p, std::uint32_t offset, std::vector<std::string>& out) const {
  // data.POS: offset lex_filenum ss_type w_cnt(2 hex) word lex_id(1 hex) [word lex_id...] p_cnt ...
  // Only the fields up to the word list are read.
  const std::string& data = pos_[p].data;
  std::size_t end = data.find('\n', offset);
  if (end == std::string::npos) end = data.size();
  std::string_view line(data.data() + offset, end - offset);
  const auto bar = line.find(" | ");  // the gloss starts here: never looked at
  if (bar != std::string_view::npos) line = line.substr(0, bar);
  const auto f = fields(line);
  std::uint64_t first = 0, count = 0;
  if (f.size() < 4 || !parseUnsigned(f[0], first) || first != offset || !parseUnsigned(f[3], count, 16) || f.size() < 4 + 2 * count)
    throw std::runtime_error(pos_[p].dataPath + ": byte offset " + std::to_string(offset) +
                             ": not the start of a synset line (is the index from another WordNet version?)");
  for (std::size_t i = 0; i < count; ++i) {
    std::string_view w = f[4 + 2 * i];
    if (const auto paren = w.find('('); paren != std::string_view::npos) w = w.substr(0, paren);  // adjective marker (a), (p), (ip)
    std::string word(w);
    std::replace(word.begin(), word.end(), '_', ' ');
    out.push_back(std::move(word));
  }
}

std::vector<std::string> WordNet::synonyms(std::string_view word, PartOfSpeech pos) const {
  const std::string key = lemmaKey(word);
  const int slot = posIndex(pos) < 0 ? 4 : posIndex(pos);
  {
    std::shared_lock lock(cache_->mutex);
    const auto& map = cache_->byPos[slot];
    if (auto it = map.find(key); it != map.end()) return it->second;
  }
  auto found = lookUp(key, pos);
  std::unique_lock lock(cache_->mutex);
  cache_->byPos[slot].emplace(key, found);
  return found;
}

std::vector<std::string> WordNet::lookUp(std::string_view word, PartOfSpeech pos) const {
  std::vector<std::string> out, words;
  const std::string self = lemmaKey(word);
  const int only = posIndex(pos);
  for (const std::string& base : baseForms(word, pos)) {
    for (int p = 0; p < 4; ++p) {
      if (only >= 0 && p != only) continue;
      const auto it = pos_[p].index.find(base);
      if (it == pos_[p].index.end()) continue;
      std::string written = base;  // as a synset lists it: spaces, lowercase
      std::replace(written.begin(), written.end(), '_', ' ');
      for (std::uint32_t offset : it->second.offsets) {
        words.clear();
        synsetWords(p, offset, words);
        // A synset that lists the word only capitalised is a proper-noun sense ("Fox": Charles
        // James Fox, George Fox): no synonym for the common word.
        if (std::find(words.begin(), words.end(), written) == words.end()) continue;
        for (auto& w : words) {
          const std::string k = lemmaKey(w);
          if (k == self || k == base) continue;
          if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(std::move(w));
        }
      }
    }
  }
  return out;
}

PartOfSpeech WordNet::likelyPartOfSpeech(std::string_view word) const {
  const std::string key = lemmaKey(word);
  {
    std::shared_lock lock(cache_->mutex);
    if (auto it = cache_->likely.find(key); it != cache_->likely.end()) return it->second;
  }
  constexpr PartOfSpeech kPos[4] = {PartOfSpeech::Noun, PartOfSpeech::Verb, PartOfSpeech::Adjective, PartOfSpeech::Adverb};
  std::uint32_t best = 0;
  PartOfSpeech likely = PartOfSpeech::Unknown;
  for (int p = 0; p < 4; ++p)  // ties go to the earlier: noun, verb, adjective, adverb
    for (const std::string& base : baseForms(word, kPos[p])) {
      const auto it = pos_[p].index.find(base);
      if (it != pos_[p].index.end() && it->second.taggedSenses > best) best = it->second.taggedSenses, likely = kPos[p];
    }
  std::unique_lock lock(cache_->mutex);
  cache_->likely.emplace(key, likely);
  return likely;
}

void WordNetSynonyms::find(std::string_view word, PartOfSpeech pos, std::vector<std::string>& out) const {
  if (pos == PartOfSpeech::Unknown && guess_) pos = wordnet_->likelyPartOfSpeech(word);
  for (auto& w : wordnet_->synonyms(word, pos)) out.push_back(std::move(w));
}

}  // namespace fts::augment
