#include "core/text/Pcre2Regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <unicode/uchar.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>

namespace fts {
namespace {

// PCRE2's Unicode tables can be older than ICU's (Debian 12: PCRE2 10.42 has Unicode 14, ICU 72 and
// the Oniguruma inside Hugging Face tokenizers know Unicode 15): a character assigned since then
// (CJK Extension H, ...) would be no letter for \p{L}. So each \p{X} of a pattern also lists, as
// explicit ranges, the characters of category X that are newer than PCRE2's tables.
int pcre2UnicodeMajorVersion() {
  char buffer[32] = {};
  pcre2_config(PCRE2_CONFIG_UNICODE_VERSION, buffer);
  return std::atoi(buffer);
}

// The ICU general-category mask of a \p{...} name ("L", "Lu", "N", "Nd", ...); 0 for others
// (scripts, binary properties), which are left to PCRE2 alone.
uint32_t categoryMask(const std::string& name) {
  static const std::map<std::string, uint32_t> masks = {
      {"L", U_GC_L_MASK}, {"Lu", U_GC_LU_MASK}, {"Ll", U_GC_LL_MASK}, {"Lt", U_GC_LT_MASK}, {"Lm", U_GC_LM_MASK},
      {"Lo", U_GC_LO_MASK}, {"M", U_GC_M_MASK}, {"Mn", U_GC_MN_MASK}, {"Mc", U_GC_MC_MASK}, {"Me", U_GC_ME_MASK},
      {"N", U_GC_N_MASK}, {"Nd", U_GC_ND_MASK}, {"Nl", U_GC_NL_MASK}, {"No", U_GC_NO_MASK}, {"P", U_GC_P_MASK},
      {"S", U_GC_S_MASK}, {"Sm", U_GC_SM_MASK}, {"Sc", U_GC_SC_MASK}, {"Sk", U_GC_SK_MASK}, {"So", U_GC_SO_MASK}};
  const auto it = masks.find(name);
  return it == masks.end() ? 0 : it->second;
}

// "\x{31350}-\x{323AF}..." for the characters of `mask` that ICU has and PCRE2's tables lack.
std::string newerCharacterRanges(uint32_t mask) {
  static std::mutex m;
  static std::map<uint32_t, std::string> cache;
  std::lock_guard lock(m);
  if (const auto it = cache.find(mask); it != cache.end()) return it->second;
  const int pcreMajor = pcre2UnicodeMajorVersion();
  std::string ranges;
  const auto add = [&](UChar32 first, UChar32 last) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), first == last ? "\\x{%X}" : "\\x{%X}-\\x{%X}", first, last);
    ranges += buf;
  };
  UChar32 runStart = -1;
  for (UChar32 cp = 0; cp <= 0x10FFFF + 1; ++cp) {
    bool take = false;
    if (cp <= 0x10FFFF && (U_GET_GC_MASK(cp) & mask)) {
      UVersionInfo age;
      u_charAge(cp, age);
      take = age[0] > pcreMajor;
    }
    if (take && runStart < 0) runStart = cp;
    if (!take && runStart >= 0) {
      add(runStart, cp - 1);
      runStart = -1;
    }
  }
  return cache[mask] = ranges;
}

// The pattern with each \p{X} widened by newerCharacterRanges (inside a class: the ranges join it;
// outside: a class of \p{X} and the ranges).
std::string widenUnicodeCategories(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  bool inClass = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      if (pattern[i + 1] == 'p' && i + 2 < pattern.size()) {
        std::string name;
        std::size_t end = i + 2;
        if (pattern[end] == '{') {
          const std::size_t close = pattern.find('}', end);
          if (close != std::string_view::npos) {
            name = std::string(pattern.substr(end + 1, close - end - 1));
            end = close;
          }
        } else {
          name = std::string(1, pattern[end]);
        }
        const uint32_t mask = name.empty() || name[0] == '^' ? 0 : categoryMask(name);
        const std::string extra = mask ? newerCharacterRanges(mask) : std::string();
        const std::string_view original = pattern.substr(i, end - i + 1);
        if (extra.empty()) out += original;
        else if (inClass) out.append(original).append(extra);
        else out.append("[").append(original).append(extra).append("]");
        i = end;
        continue;
      }
      out += c;
      out += pattern[++i];  // any other escape, \] and \[ included
      continue;
    }
    if (!inClass && c == '[') {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
      continue;
    }
    if (inClass && c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      const std::size_t close = pattern.find(":]", i + 2);  // a POSIX class such as [:alpha:]
      if (close != std::string_view::npos) {
        out += pattern.substr(i, close + 2 - i);
        i = close + 1;
        continue;
      }
    }
    if (inClass && c == ']') inClass = false;
    out += c;
  }
  return out;
}

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
  const std::string widened = widenUnicodeCategories(pattern_);
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(widened.data()), widened.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &error, &offset, nullptr);
  if (!code && widened != pattern_) {
    // Widening must never make a pattern fail: report against the pattern as written.
    code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.data()), pattern_.size(), PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK,
                         &error, &offset, nullptr);
  }
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
