#include "core/augment/WordSplitter.h"

#include "core/data/Utf8.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include <stdexcept>
#include <string>

namespace fts::augment {

const char* toString(Language language) {
  switch (language) {
    case Language::Auto: return "auto";
    case Language::English: return "en";
    case Language::Chinese: return "zh";
  }
  return "?";
}

Language detectLanguage(std::string_view text) {
  std::size_t cjk = 0, latin = 0;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') ++latin;
      ++i;
      continue;
    }
    const char32_t c = data::decodeUtf8(text, i);
    if (data::isCjk(c)) ++cjk;
    else if (u_isalpha(static_cast<UChar32>(c))) ++latin;
  }
  return cjk > 0 && cjk >= latin ? Language::Chinese : Language::English;
}

struct WordSplitter::Impl {
  std::unique_ptr<icu::BreakIterator> english, chinese;
  UText* utext = nullptr;

  Impl() {
    UErrorCode status = U_ZERO_ERROR;
    english.reset(icu::BreakIterator::createWordInstance(icu::Locale::getEnglish(), status));
    chinese.reset(icu::BreakIterator::createWordInstance(icu::Locale::getChinese(), status));
    if (U_FAILURE(status) || !english || !chinese)
      throw std::runtime_error(std::string("ICU word break iterator unavailable: ") + u_errorName(status) +
                               " (is libicu's data installed? Debian: libicu72)");
  }
  ~Impl() {
    if (utext) utext_close(utext);
  }
};

WordSplitter::WordSplitter() : impl_(std::make_unique<Impl>()) {}
WordSplitter::~WordSplitter() = default;

SplitText WordSplitter::split(std::string_view text, Language language) {
  SplitText out;
  out.text = text;
  out.language = language == Language::Auto ? detectLanguage(text) : language;
  if (text.empty()) return out;
  UErrorCode status = U_ZERO_ERROR;
  // A UTF-8 UText: the iterator's positions are byte offsets into `text`, no UTF-16 copy needed.
  impl_->utext = utext_openUTF8(impl_->utext, text.data(), static_cast<int64_t>(text.size()), &status);
  icu::BreakIterator& it = out.language == Language::Chinese ? *impl_->chinese : *impl_->english;
  it.setText(impl_->utext, status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU could not segment a text: ") + u_errorName(status));
  std::int32_t begin = it.first();
  for (std::int32_t end = it.next(); end != icu::BreakIterator::DONE; begin = end, end = it.next()) {
    const std::int32_t rule = it.getRuleStatus();
    if (rule < UBRK_WORD_NONE_LIMIT) continue;  // spaces and punctuation
    Word w;
    w.begin = static_cast<std::size_t>(begin);
    w.end = static_cast<std::size_t>(end);
    w.number = rule >= UBRK_WORD_NUMBER && rule < UBRK_WORD_NUMBER_LIMIT;
    w.cjk = rule >= UBRK_WORD_KANA;  // kana and ideographs
    if (!w.cjk) {
      std::size_t i = w.begin;
      w.cjk = data::isCjk(data::decodeUtf8(text, i));
    }
    out.words.push_back(w);
  }
  return out;
}

WordSplitter& threadWordSplitter() {
  thread_local WordSplitter splitter;
  return splitter;
}

}  // namespace fts::augment
