#pragma once
// Spans of a text that augmentation must leave exactly as they are: numbers, URLs, @mentions and
// whatever the user's regular expression matches (ICU syntax, Unicode-aware).
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fts::augment {

struct Span {
  std::size_t begin = 0;  // byte offsets
  std::size_t end = 0;
};

struct ProtectOptions {
  bool numbers = true;   // 42, 3.14, 1,000, 12:30, 2nd
  bool urls = true;      // http://..., https://..., www.... up to the next white space
  bool mentions = true;  // @name (and #hashtags)
  std::string regex;     // empty: none; else every match is protected
};

class ProtectedSpans {
 public:
  // Throws std::invalid_argument when the regex does not compile (with ICU's reason and offset).
  explicit ProtectedSpans(ProtectOptions options = {});
  ~ProtectedSpans();
  ProtectedSpans(ProtectedSpans&&) noexcept;
  ProtectedSpans& operator=(ProtectedSpans&&) noexcept;

  // Sorted, merged spans of `text`. Thread-safe.
  std::vector<Span> find(std::string_view text) const;
  const ProtectOptions& options() const { return options_; }

 private:
  ProtectOptions options_;
  struct Regex;
  std::unique_ptr<Regex> regex_;
};

// Whether [begin, end) overlaps one of the sorted spans.
bool overlaps(const std::vector<Span>& spans, std::size_t begin, std::size_t end);
// Whether position `at` lies strictly inside one of the spans (inserting there would split it).
bool inside(const std::vector<Span>& spans, std::size_t at);

}  // namespace fts::augment
