#include "core/text/HfNormalizer.h"

#include "core/text/Utf8.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uniset.h>
#include <unicode/unistr.h>

#include <stdexcept>

namespace fts {
namespace {

using Kind = HfNormalizerStep::Kind;

bool isAscii(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) out.push_back(utf8::next(s, i));
  return out;
}

std::string encode(const std::u32string& cps) {
  std::string out;
  out.reserve(cps.size());
  for (const char32_t cp : cps) utf8::append(out, cp);
  return out;
}

const icu::Normalizer2& baseNormalizer(Kind kind) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = nullptr;
  switch (kind) {
    case Kind::Nfc: n = icu::Normalizer2::getNFCInstance(status); break;
    case Kind::Nfd: n = icu::Normalizer2::getNFDInstance(status); break;
    case Kind::Nfkc: n = icu::Normalizer2::getNFKCInstance(status); break;
    case Kind::Nfkd: n = icu::Normalizer2::getNFKDInstance(status); break;
    default: break;
  }
  if (!n || U_FAILURE(status)) throw std::runtime_error(std::string("ICU normalizer unavailable: ") + u_errorName(status));
  return *n;
}

// The tokenizers crate normalizes with tables of Unicode 9.0 (unicode-normalization-alignments):
// a later character has no combining class or decomposition there (a Kawi conjoiner is not
// reordered before an older mark). ICU's filtered normalizer leaves characters outside Unicode 9.0
// as they are, which is the same thing.
const icu::Normalizer2& normalizerFor(Kind kind) {
  static const icu::UnicodeSet unicode9 = [] {
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeSet set(icu::UnicodeString(u"[:age=9.0:]"), status);
    if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU set [:age=9.0:] unavailable: ") + u_errorName(status));
    set.freeze();
    return set;
  }();
  static const icu::FilteredNormalizer2 nfc(baseNormalizer(Kind::Nfc), unicode9), nfd(baseNormalizer(Kind::Nfd), unicode9),
      nfkc(baseNormalizer(Kind::Nfkc), unicode9), nfkd(baseNormalizer(Kind::Nfkd), unicode9);
  switch (kind) {
    case Kind::Nfd: return nfd;
    case Kind::Nfkc: return nfkc;
    case Kind::Nfkd: return nfkd;
    default: return nfc;
  }
}

// ASCII text is already in every normalization form: skip ICU (most of an English corpus).
std::string normalizeForm(std::string_view text, Kind kind) {
  if (isAscii(text)) return std::string(text);
  const icu::Normalizer2& n = normalizerFor(kind);
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString in = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (n.isNormalized(in, status) && U_SUCCESS(status)) return std::string(text);
  status = U_ZERO_ERROR;
  const icu::UnicodeString out = n.normalize(in, status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("Unicode normalization failed: ") + u_errorName(status));
  std::string bytes;
  out.toUTF8String(bytes);
  return bytes;
}

// Rust's char::to_lowercase, one code point at a time (no final-sigma context, as the tokenizers
// crate lowercases): the simple mapping, except U+0130 whose full lowercase is two code points.
void appendLowercase(std::u32string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
  } else if (cp == 0x130) {
    out.push_back(U'i');
    out.push_back(0x307);
  } else {
    out.push_back(static_cast<char32_t>(u_tolower(static_cast<UChar32>(cp))));
  }
}

std::u32string lowercase(const std::u32string& cps) {
  std::u32string out;
  out.reserve(cps.size());
  for (const char32_t cp : cps) appendLowercase(out, cp);
  return out;
}

// The tokenizers crate takes BERT's general categories (punctuation, nonspacing marks, controls)
// from tables of Unicode 8.0 (the unicode_categories crate): a character assigned later has no
// category there, so for BERT it is a plain character. ICU knows each character's age; follow.
bool inUnicode8(char32_t cp) {
  UVersionInfo age;
  u_charAge(static_cast<UChar32>(cp), age);
  return age[0] <= 8;
}

// The few characters whose category changed after Unicode 8.0, as 8.0 had them (found by encoding
// every code point with both tokenizers).
bool wasPunctuationInUnicode8(char32_t cp) { return cp == 0x166D || cp == 0x111C9; }
bool wasNonspacingMarkInUnicode8(char32_t cp) {
  if (cp == 0x1734) return true;
  if (cp == 0x1885 || cp == 0x1886 || cp == 0xA9BD || cp == 0x111C9) return false;
  return u_charType(static_cast<UChar32>(cp)) == U_NON_SPACING_MARK && inUnicode8(cp);
}

// NFD, then every nonspacing mark (Mn) dropped: "café" -> "cafe".
std::u32string stripAccents(const std::u32string& cps) {
  bool ascii = true;
  for (const char32_t cp : cps) ascii = ascii && cp < 0x80;
  if (ascii) return cps;
  const std::u32string nfd = decode(normalizeForm(encode(cps), Kind::Nfd));
  std::u32string out;
  out.reserve(nfd.size());
  for (const char32_t cp : nfd)
    if (!wasNonspacingMarkInUnicode8(cp)) out.push_back(cp);
  return out;
}

// BERT's control characters: Unicode "other" categories except tab, newline and carriage return.
// (The Rust crate BERT's port uses has no unassigned-code-point table, so Cn is kept, as there.)
bool isBertControl(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  const int8_t t = u_charType(static_cast<UChar32>(cp));
  return (t == U_CONTROL_CHAR || t == U_FORMAT_CHAR || t == U_PRIVATE_USE_CHAR || t == U_SURROGATE) && inUnicode8(cp);
}

std::u32string bertCleanAndSplit(const std::u32string& cps, const HfNormalizerStep& step) {
  std::u32string out;
  out.reserve(cps.size() + 8);
  for (const char32_t cp : cps) {
    if (step.cleanText) {
      if (cp == 0 || cp == utf8::kReplacement || isBertControl(cp)) continue;
      if (isUnicodeWhitespace(cp)) {
        out.push_back(U' ');
        continue;
      }
    }
    if (step.handleChineseChars && isBertChineseChar(cp)) {
      out.push_back(U' ');
      out.push_back(cp);
      out.push_back(U' ');
      continue;
    }
    out.push_back(cp);
  }
  return out;
}

std::string applyBert(std::string_view text, const HfNormalizerStep& step) {
  std::u32string cps = bertCleanAndSplit(decode(text), step);
  if (step.stripAccents) cps = stripAccents(cps);
  if (step.lowercase) cps = lowercase(cps);
  return encode(cps);
}

}  // namespace

bool isBertChineseChar(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool isBertPunctuation(char32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  if (cp < 0x80) return false;
  if (wasPunctuationInUnicode8(cp)) return true;
  return (U_GET_GC_MASK(static_cast<UChar32>(cp)) & U_GC_P_MASK) != 0 && inUnicode8(cp);
}

bool isUnicodeWhitespace(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
  return u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_WHITE_SPACE);
}

std::string HfNormalizer::apply(std::string_view text) const {
  std::string s(text);
  for (const auto& step : steps_) {
    switch (step.kind) {
      case Kind::Bert: s = applyBert(s, step); break;
      case Kind::Nfc:
      case Kind::Nfd:
      case Kind::Nfkc:
      case Kind::Nfkd: s = normalizeForm(s, step.kind); break;
      case Kind::Lowercase: s = encode(lowercase(decode(s))); break;
      case Kind::StripAccents: s = encode(stripAccents(decode(s))); break;
    }
  }
  return s;
}

}  // namespace fts
