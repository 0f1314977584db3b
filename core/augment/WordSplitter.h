#pragma once
// Splits a text into words that remember their byte offsets, with ICU's word BreakIterator: rules
// for English and other space-separated scripts, ICU's dictionary segmentation for Chinese and
// Japanese. Boundaries always fall between characters (never inside a UTF-8 sequence), so an
// operation on words never splits a CJK character.
//
// One WordSplitter per thread (ICU's iterators keep state); threadWordSplitter() gives each thread
// its own.
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace fts::augment {

enum class Language {
  Auto,     // per text: Chinese when it holds at least as many CJK characters as Latin letters
  English,  // words joined by spaces
  Chinese,  // words joined with nothing between them
};

const char* toString(Language language);  // "auto", "en", "zh"

struct Word {
  std::size_t begin = 0;  // byte offsets into the text
  std::size_t end = 0;
  bool cjk = false;       // made of CJK characters (joined to its neighbours without a space)
  bool number = false;    // ICU says it is a number
};

struct SplitText {
  std::string_view text;
  Language language = Language::English;  // resolved (never Auto)
  std::vector<Word> words;                // letters, numbers, ideographs; no spaces or punctuation
  std::string_view word(std::size_t i) const { return text.substr(words[i].begin, words[i].end - words[i].begin); }
};

// Chinese when the text holds at least as many CJK characters as Latin letters (and one).
Language detectLanguage(std::string_view text);

class WordSplitter {
 public:
  WordSplitter();
  ~WordSplitter();
  WordSplitter(const WordSplitter&) = delete;
  WordSplitter& operator=(const WordSplitter&) = delete;

  // The words of `text` (which must outlive the result). Language::Auto detects it.
  SplitText split(std::string_view text, Language language = Language::Auto);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// This thread's splitter.
WordSplitter& threadWordSplitter();

// True for U+0020 and the other white space bytes of ASCII.
inline bool isAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace fts::augment
