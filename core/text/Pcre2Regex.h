#pragma once
// A compiled PCRE2 pattern in Unicode mode (PCRE2_UTF | PCRE2_UCP, JIT-compiled when the library can),
// for the split patterns of tokenizer.json files: \p{L}, \p{N}, (?i:...), lookahead as in Oniguruma,
// which Hugging Face tokenizers compiles them with. Safe to use from several threads at once.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fts {

class Pcre2Regex {
 public:
  // Throws std::runtime_error with PCRE2's message and the offset in the pattern.
  explicit Pcre2Regex(std::string_view pattern);
  ~Pcre2Regex();
  Pcre2Regex(const Pcre2Regex&) = delete;
  Pcre2Regex& operator=(const Pcre2Regex&) = delete;

  // Every non-empty, non-overlapping match, left to right, as [begin, end) byte offsets.
  // `subject` must be valid UTF-8.
  std::vector<std::pair<std::size_t, std::size_t>> findAll(std::string_view subject) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  void* code_ = nullptr;  // pcre2_code_8*; kept out of the header so callers need no PCRE2 headers
};

}  // namespace fts
