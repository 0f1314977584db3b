#pragma once
// Words augmentation leaves alone: function words whose change says nothing about the text's
// meaning but often breaks its grammar (EDA skips them for synonym replacement; we skip them for
// every word operation). One list per language, one word a line, '#' starts a comment.
#include <filesystem>
#include <string>
#include <string_view>
#include <functional>
#include <unordered_set>

namespace fts::augment {

class StopWords {
 public:
  StopWords() = default;
  // Throws std::runtime_error naming FILE:LINE for a line that is not valid UTF-8.
  static StopWords load(const std::filesystem::path& file);
  // The shipped list for "en" or "zh" (resources/augment/stopwords-LANG.txt).
  static StopWords shipped(const std::string& language);

  // English matches case-insensitively (ASCII).
  bool contains(std::string_view word) const;
  std::size_t size() const { return words_.size(); }
  void add(std::string word);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> words_;
};

}  // namespace fts::augment
