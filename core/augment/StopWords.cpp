#include "core/augment/StopWords.h"

#include "core/augment/AugmentResources.h"
#include "core/data/Utf8.h"
#include "core/util/AtomicFile.h"

#include <stdexcept>

namespace fts::augment {
namespace {

std::string asciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

StopWords StopWords::load(const std::filesystem::path& file) {
  const std::string text = readWholeFile(file);
  StopWords words;
  std::size_t line = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    std::string_view l(text.data() + at, nl - at);
    at = nl + 1;
    ++line;
    if (const auto hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\t' || l.back() == '\r')) l.remove_suffix(1);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (l.empty()) continue;
    if (data::firstInvalidUtf8(l))
      throw std::runtime_error(file.string() + ":" + std::to_string(line) + ": not valid UTF-8: save the list as UTF-8");
    words.add(std::string(l));
  }
  return words;
}

StopWords StopWords::shipped(const std::string& language) { return load(findResource("stopwords-" + language + ".txt")); }

bool StopWords::contains(std::string_view word) const {
  if (words_.empty()) return false;
  bool upper = false;
  for (char c : word) upper |= c >= 'A' && c <= 'Z';
  if (!upper) return words_.find(word) != words_.end();  // the common case: no copy
  return words_.find(std::string_view(asciiLower(word))) != words_.end();
}

void StopWords::add(std::string word) { words_.insert(asciiLower(word)); }

}  // namespace fts::augment
