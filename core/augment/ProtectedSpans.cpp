#include "core/augment/ProtectedSpans.h"

#include <unicode/regex.h>
#include <unicode/utext.h>

#include <algorithm>
#include <stdexcept>

namespace fts::augment {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isWordByte(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (static_cast<unsigned char>(c) >= 0x80);
}

bool startsWith(std::string_view text, std::size_t at, std::string_view prefix) {
  return text.size() - at >= prefix.size() && text.compare(at, prefix.size(), prefix) == 0;
}

// Built-in spans, in one pass over the bytes.
void findBuiltIn(std::string_view text, const ProtectOptions& o, std::vector<Span>& out) {
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const bool wordStart = i == 0 || !isWordByte(text[i - 1]);
    if (o.urls && wordStart && (startsWith(text, i, "http://") || startsWith(text, i, "https://") || startsWith(text, i, "www."))) {
      std::size_t j = i;
      while (j < text.size() && !isSpace(text[j])) ++j;
      // Trailing sentence punctuation belongs to the sentence, not the URL.
      while (j > i && std::string_view(".,;:!?)\"'").find(text[j - 1]) != std::string_view::npos) --j;
      out.push_back({i, j});
      i = j + 1;
      continue;
    }
    if (o.mentions && (c == '@' || c == '#') && wordStart && i + 1 < text.size() && isWordByte(text[i + 1])) {
      std::size_t j = i + 1;
      while (j < text.size() && isWordByte(text[j]) && static_cast<unsigned char>(text[j]) < 0x80) ++j;
      if (j > i + 1) {
        out.push_back({i, j});
        i = j;
        continue;
      }
    }
    if (o.numbers && isDigit(c)) {
      std::size_t j = i + 1;
      // Digits with inner separators (3.14, 1,000, 12:30) and a glued suffix (2nd, 10km).
      while (j < text.size() && (isDigit(text[j]) || ((text[j] == '.' || text[j] == ',' || text[j] == ':') &&
                                                         j + 1 < text.size() && isDigit(text[j + 1]))))
        ++j;
      while (j < text.size() && isWordByte(text[j]) && static_cast<unsigned char>(text[j]) < 0x80) ++j;
      std::size_t b = i;
      while (b > 0 && isWordByte(text[b - 1]) && static_cast<unsigned char>(text[b - 1]) < 0x80) --b;  // "A4", "x86"
      out.push_back({b, j});
      i = j;
      continue;
    }
    ++i;
  }
}

}  // namespace

struct ProtectedSpans::Regex {
  std::unique_ptr<icu::RegexPattern> pattern;
};

ProtectedSpans::ProtectedSpans(ProtectOptions options) : options_(std::move(options)) {
  if (options_.regex.empty()) return;
  UErrorCode status = U_ZERO_ERROR;
  UParseError pe{};
  regex_ = std::make_unique<Regex>();
  regex_->pattern.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(options_.regex), 0, pe, status));
  if (U_FAILURE(status))
    throw std::invalid_argument("protect regex '" + options_.regex + "' does not compile: " + u_errorName(status) +
                                " at character " + std::to_string(pe.offset + 1));
}

ProtectedSpans::~ProtectedSpans() = default;
ProtectedSpans::ProtectedSpans(ProtectedSpans&&) noexcept = default;
ProtectedSpans& ProtectedSpans::operator=(ProtectedSpans&&) noexcept = default;

std::vector<Span> ProtectedSpans::find(std::string_view text) const {
  std::vector<Span> spans;
  findBuiltIn(text, options_, spans);
  if (regex_ && !text.empty()) {
    UErrorCode status = U_ZERO_ERROR;
    UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
    // A matcher per call: RegexPattern is shared and thread-safe, matchers are not.
    std::unique_ptr<icu::RegexMatcher> m(regex_->pattern->matcher(status));
    if (U_SUCCESS(status)) {
      m->reset(ut);  // native (byte) offsets from here on
      while (m->find(status) && U_SUCCESS(status)) {
        const auto b = static_cast<std::size_t>(m->start64(status));
        const auto e = static_cast<std::size_t>(m->end64(status));
        if (e > b) spans.push_back({b, e});
      }
    }
    m.reset();
    utext_close(ut);
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (const Span& s : spans) {
    if (!merged.empty() && s.begin <= merged.back().end) merged.back().end = std::max(merged.back().end, s.end);
    else merged.push_back(s);
  }
  return merged;
}

bool overlaps(const std::vector<Span>& spans, std::size_t begin, std::size_t end) {
  auto it = std::upper_bound(spans.begin(), spans.end(), begin, [](std::size_t v, const Span& s) { return v < s.end; });
  return it != spans.end() && it->begin < std::max(end, begin + 1);
}

bool inside(const std::vector<Span>& spans, std::size_t at) {
  auto it = std::upper_bound(spans.begin(), spans.end(), at, [](std::size_t v, const Span& s) { return v < s.end; });
  return it != spans.end() && it->begin < at;
}

}  // namespace fts::augment
