#include "core/augment/UserSynonyms.h"

#include "core/data/Utf8.h"
#include "core/util/AtomicFile.h"

#include <algorithm>
#include <stdexcept>

namespace fts::augment {
namespace {

// Splits a group line into words at spaces, tabs, ',', '，' (U+FF0C) and '、' (U+3001).
std::vector<std::string_view> splitGroup(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t begin = 0, i = 0;
  auto flush = [&](std::size_t end) {
    if (end > begin) words.push_back(line.substr(begin, end - begin));
  };
  while (i < line.size()) {
    std::size_t sepLen = 0;
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == ',' || c == '\r') sepLen = 1;
    else if (line.compare(i, 3, "\xEF\xBC\x8C") == 0 || line.compare(i, 3, "\xE3\x80\x81") == 0) sepLen = 3;
    if (sepLen) {
      flush(i);
      i += sepLen;
      begin = i;
    } else {
      ++i;
    }
  }
  flush(line.size());
  return words;
}

// A Cilin code: two letters, two digits, a letter, two digits, then '=', '#' or '@' ("Aa01A01=").
bool isCilinCode(std::string_view w) {
  if (w.size() != 8) return false;
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return letter(w[0]) && letter(w[1]) && digit(w[2]) && digit(w[3]) && letter(w[4]) && digit(w[5]) && digit(w[6]);
}

}  // namespace

std::shared_ptr<UserSynonyms> UserSynonyms::load(const std::filesystem::path& file) {
  return parse(readWholeFile(file), file.string());
}

std::shared_ptr<UserSynonyms> UserSynonyms::parse(std::string_view text, const std::string& file) {
  auto s = std::make_shared<UserSynonyms>();
  s->name_ = "user:" + std::filesystem::path(file).filename().string();
  std::size_t lineNo = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(at, nl - at);
    at = nl + 1;
    ++lineNo;
    if (lineNo == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // BOM
    if (const auto bad = data::firstInvalidUtf8(line))
      throw std::runtime_error(file + ":" + std::to_string(lineNo) + ":" + std::to_string(*bad + 1) +
                               ": not valid UTF-8: save the synonym file as UTF-8");
    if (line.substr(0, 2) == "//") continue;
    auto words = splitGroup(line);
    if (words.empty()) continue;
    if (isCilinCode(words.front())) {
      const char marker = words.front().back();
      if (marker != '=' && marker != '#' && marker != '@')
        throw std::runtime_error(file + ":" + std::to_string(lineNo) + ": Cilin code '" + std::string(words.front()) +
                                 "' must end in '=' (synonyms), '#' (related) or '@' (a word alone)");
      if (marker != '=') continue;  // related words are not synonyms
      words.erase(words.begin());
    }
    std::vector<std::string> group;
    for (auto w : words)
      if (std::find(group.begin(), group.end(), w) == group.end()) group.emplace_back(w);
    if (group.size() < 2) continue;  // a word alone gives no synonym
    const std::size_t id = s->groups_.size();
    for (const auto& w : group) s->groupsOf_[w].push_back(id);
    s->groups_.push_back(std::move(group));
  }
  return s;
}

void UserSynonyms::find(std::string_view word, PartOfSpeech, std::vector<std::string>& out) const {
  auto it = groupsOf_.find(word);
  if (it == groupsOf_.end()) {
    // English words are listed in lowercase; look the word up lowercased when it is capitalised.
    std::string lower(word);
    bool changed = false;
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a'), changed = true;
    if (!changed) return;
    it = groupsOf_.find(std::string_view(lower));
    if (it == groupsOf_.end()) return;
  }
  for (std::size_t g : it->second)
    for (const auto& w : groups_[g])
      if (w != word && std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
}

}  // namespace fts::augment
