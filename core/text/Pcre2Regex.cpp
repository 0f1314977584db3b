#include "core/text/Pcre2Regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

namespace fts {
namespace {

std::string pcre2Message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

// One match-data block per thread and pattern size: allocating one per call costs more than the
// match itself on short words.
struct MatchData {
  pcre2_match_data* data = nullptr;
  ~MatchData() { pcre2_match_data_free(data); }
};

}  // namespace

Pcre2Regex::Pcre2Regex(std::string_view pattern) : pattern_(pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.data()), pattern_.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &error, &offset, nullptr);
  if (!code)
    throw std::runtime_error("regular expression does not compile at offset " + std::to_string(offset) + ": " +
                             pcre2Message(error) + " (pattern: " + pattern_ + ")");
  // JIT is an optimisation only: a library built without it matches the same, slower.
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  code_ = code;
}

Pcre2Regex::~Pcre2Regex() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

std::vector<std::pair<std::size_t, std::size_t>> Pcre2Regex::findAll(std::string_view subject) const {
  auto* code = static_cast<pcre2_code*>(code_);
  // Patterns of one tokenizer have few capture groups; a block sized for 32 pairs fits them all.
  thread_local MatchData md;
  if (!md.data) md.data = pcre2_match_data_create(32, nullptr);
  std::vector<std::pair<std::size_t, std::size_t>> out;
  const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
  std::size_t at = 0;
  while (at <= subject.size()) {
    const int rc = pcre2_match(code, s, subject.size(), at, PCRE2_NO_UTF_CHECK, md.data, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw std::runtime_error("regular expression match failed: " + pcre2Message(rc) + " (pattern: " + pattern_ + ")");
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.data);
    const std::size_t begin = ov[0], end = ov[1];
    if (end > begin) {
      out.emplace_back(begin, end);
      at = end;
    } else {
      // An empty match: step one code point on, as Rust's and Oniguruma's iterators do.
      if (begin >= subject.size()) break;
      std::size_t next = begin + 1;
      while (next < subject.size() && (static_cast<unsigned char>(subject[next]) & 0xC0) == 0x80) ++next;
      at = next;
    }
  }
  return out;
}

}  // namespace fts
