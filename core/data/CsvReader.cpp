#include "core/data/CsvReader.h"

#include <algorithm>
#include <array>
#include <map>

namespace fts::data {

CsvReader::CsvReader(std::string_view text, char delimiter, std::size_t maxFieldBytes)
    : text_(text), delim_(delimiter), maxField_(maxFieldBytes) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

void CsvReader::skipToNextLine() {
  while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  if (pos_ < text_.size()) {
    ++pos_;
    ++line_;
  }
}

std::optional<CsvRecord> CsvReader::next() {
  error_.reset();
  // Blank lines between records are not records.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n'))) {
    pos_ += text_[pos_] == '\r' ? 2 : 1;
    ++line_;
  }
  if (pos_ >= text_.size()) return std::nullopt;

  CsvRecord rec;
  rec.line = line_;
  std::string field;
  std::size_t lineStart = pos_;
  auto fail = [&](std::int64_t line, std::size_t at, std::string msg) -> std::optional<CsvRecord> {
    error_ = CsvSyntaxError{line, static_cast<std::int64_t>(at - lineStart + 1), std::move(msg)};
    skipToNextLine();
    return std::nullopt;
  };
  while (true) {
    field.clear();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const std::int64_t quoteLine = line_;
      const std::size_t quoteAt = pos_;
      const std::size_t quoteLineStart = lineStart;
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) {
          lineStart = quoteLineStart;
          error_ = CsvSyntaxError{quoteLine, static_cast<std::int64_t>(quoteAt - quoteLineStart + 1),
                                  "quoted field never closed: add the closing '\"' (a quote inside a quoted field is written \"\")"};
          pos_ = text_.size();
          return std::nullopt;
        }
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            field.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        if (c == '\n') {
          ++line_;
          lineStart = pos_ + 1;
        }
        field.push_back(c);
        ++pos_;
        if (field.size() > maxField_)
          return fail(line_, pos_ - 1, "field longer than the maximum of " + std::to_string(maxField_) +
                                           " bytes: raise the maximum field size or fix the quoting");
      }
      // After a closing quote only a delimiter or the end of the record may follow.
      if (pos_ < text_.size() && text_[pos_] != delim_ && text_[pos_] != '\n' && text_[pos_] != '\r')
        return fail(line_, pos_, "unexpected character after a closing quote: double the quote (\"\") inside a quoted field");
    } else {
      while (pos_ < text_.size() && text_[pos_] != delim_ && text_[pos_] != '\n') {
        if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') break;
        if (text_[pos_] == '"')
          return fail(line_, pos_, "quote inside an unquoted field: quote the whole field and double the inner quote (\"\")");
        field.push_back(text_[pos_++]);
        if (field.size() > maxField_)
          return fail(line_, pos_ - 1, "field longer than the maximum of " + std::to_string(maxField_) + " bytes: raise the maximum field size");
      }
    }
    rec.fields.push_back(std::move(field));
    if (pos_ >= text_.size()) break;
    if (text_[pos_] == delim_) {
      ++pos_;
      continue;
    }
    if (text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    break;
  }
  return rec;
}

char CsvReader::sniffDelimiter(std::string_view text) {
  constexpr std::array<char, 4> candidates = {',', '\t', ';', '|'};
  // Count each candidate outside quotes on the first few lines; prefer consistent, non-zero counts.
  char best = ',';
  double bestScore = 0;
  for (char c : candidates) {
    std::vector<int> counts;
    int count = 0;
    bool inQuotes = false;
    for (std::size_t i = 0; i < text.size() && counts.size() < 20; ++i) {
      const char ch = text[i];
      if (ch == '"') inQuotes = !inQuotes;
      else if (!inQuotes && ch == c) ++count;
      else if (!inQuotes && ch == '\n') {
        counts.push_back(count);
        count = 0;
      }
    }
    if (count > 0) counts.push_back(count);
    if (counts.empty() || counts[0] == 0) continue;
    const int first = counts[0];
    const auto same = std::count(counts.begin(), counts.end(), first);
    const double score = static_cast<double>(same) / counts.size() * 1000 + first;
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

}  // namespace fts::data
