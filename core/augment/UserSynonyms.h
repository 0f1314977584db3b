#pragma once
// The user's synonym file: one group of synonyms per line, words separated by spaces, commas
// (also '，' and '、') or tabs. HIT Cilin lines are accepted too: "Aa01A01= 人 士 人物" (the code's
// last character says what the group is: '=' synonyms, '#' related words, '@' a word alone; only
// '=' groups are used as synonyms). Empty lines and lines starting with "//" are skipped.
#include "core/augment/SynonymSource.h"

#include <filesystem>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace fts::augment {

class UserSynonyms : public SynonymSource {
 public:
  // Throws std::runtime_error naming FILE:LINE (invalid UTF-8, a Cilin code with an unknown marker).
  static std::shared_ptr<UserSynonyms> load(const std::filesystem::path& file);
  // From text (tests, the GUI's editor); `file` names it in messages and in the change log.
  static std::shared_ptr<UserSynonyms> parse(std::string_view text, const std::string& file);

  std::string name() const override { return name_; }
  void find(std::string_view word, PartOfSpeech pos, std::vector<std::string>& out) const override;
  std::size_t groupCount() const { return groups_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::string name_;
  std::vector<std::vector<std::string>> groups_;
  std::unordered_map<std::string, std::vector<std::size_t>, Hash, std::equal_to<>> groupsOf_;  // word -> groups
};

}  // namespace fts::augment
