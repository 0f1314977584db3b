#include "core/train/SampleEncoding.h"

#include "core/text/Tokenizer.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace fts {
namespace {

void checkOptions(const EncodingOptions& o) {
  if (o.maxLen < 3) throw std::invalid_argument("data.max_len must be at least 3 (BOS, one token, EOS), not " + std::to_string(o.maxLen));
}

// Tokens of every text the rows need: the text, and the response of a pair right after it.
std::vector<std::vector<int>> tokenizeRows(const data::Dataset& ds, const std::vector<std::size_t>& rows,
                                           const Tokenizer& tok, bool paired, int threads, ChatFormat chat) {
  // Pairs in a chat format: the turns' text around prompt and response (their markers are added
  // tokens, which the tokenizer matches before splitting).
  std::vector<std::string> turns;
  if (paired && chat != ChatFormat::None) {
    turns.reserve(rows.size() * 2);
    for (std::size_t r : rows) {
      turns.push_back(chatPrompt(chat, ds.samples[r].text));
      turns.push_back(chatResponse(chat, ds.samples[r].response));
    }
  }
  std::vector<std::string_view> texts;
  texts.reserve(rows.size() * (paired ? 2 : 1));
  if (!turns.empty()) {
    for (const auto& t : turns) texts.emplace_back(t);
  } else {
    for (std::size_t r : rows) {
      texts.emplace_back(ds.samples[r].text);
      if (paired) texts.emplace_back(ds.samples[r].response);
    }
  }
  return tok.encodeMany(texts, threads);
}

}  // namespace

std::vector<int> frameTokens(const std::vector<int>& body, const EncodingOptions& o, bool addEos, bool* truncated) {
  const std::size_t room = static_cast<std::size_t>(o.maxLen - 1 - (addEos ? 1 : 0));
  std::vector<int> kept = data::truncateIds(body, room, o.truncation);
  if (truncated) *truncated = kept.size() < body.size();
  std::vector<int> out;
  out.reserve(kept.size() + 2);
  out.push_back(o.bos);
  out.insert(out.end(), kept.begin(), kept.end());
  if (addEos) out.push_back(o.eos);
  return out;
}

EncodedSet encodeSamples(const data::Dataset& ds, const std::vector<std::size_t>& rows, const Tokenizer& tok,
                         const std::map<std::string, int>& labelIds, const EncodingOptions& o) {
  checkOptions(o);
  const bool paired = ds.paired();
  const auto tokens = tokenizeRows(ds, rows, tok, paired, o.threads, o.chat);
  const bool bos = !paired || chatStartsWithBos(o.chat);  // ChatML turns open with <|im_start|>, not a BOS
  EncodedSet out;
  out.ids.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& s = ds.samples[rows[i]];
    std::vector<int> ids;
    std::int32_t predictFrom = 1;
    bool cut = false;
    if (paired) {
      // BOS prompt response EOS. When too long, the response keeps at least half the room (its
      // head: how it begins matters most), the prompt keeps its head in what is left.
      const auto& prompt = tokens[2 * i];
      const auto& response = tokens[2 * i + 1];
      const std::size_t room = static_cast<std::size_t>(o.maxLen - 1 - (bos ? 1 : 0));
      const std::size_t responseKeep = std::min(response.size(), std::max(room / 2, room - std::min(prompt.size(), room)));
      const std::size_t promptKeep = std::min(prompt.size(), room - responseKeep);
      cut = promptKeep < prompt.size() || responseKeep < response.size();
      ids.reserve(promptKeep + responseKeep + 2);
      if (bos) ids.push_back(o.bos);
      ids.insert(ids.end(), prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(promptKeep));
      ids.insert(ids.end(), response.begin(), response.begin() + static_cast<std::ptrdiff_t>(responseKeep));
      ids.push_back(o.eos);
      predictFrom = static_cast<std::int32_t>((bos ? 1 : 0) + promptKeep);
    } else {
      // Classification pools on the last real token: EOS, always present.
      ids = frameTokens(tokens[i], o, /*addEos=*/true, &cut);
    }
    out.truncated += cut ? 1 : 0;
    out.tokens += static_cast<std::int64_t>(ids.size());
    out.ids.push_back(std::move(ids));
    out.predictFrom.push_back(predictFrom);
    out.labels.push_back(labelIds.empty() ? -1 : labelIds.at(s.label));
    out.source.push_back(rows[i]);
  }
  return out;
}

EncodedSet packSamples(const data::Dataset& ds, const std::vector<std::size_t>& rows, const Tokenizer& tok,
                       const EncodingOptions& o) {
  checkOptions(o);
  const bool paired = ds.paired();
  // Pretraining layout: texts joined as they are (a chat format is for prompt -> response training).
  const auto tokens = tokenizeRows(ds, rows, tok, paired, o.threads, ChatFormat::None);
  EncodedSet out;
  const std::size_t block = static_cast<std::size_t>(o.maxLen);
  std::vector<int> current;
  current.reserve(block);
  std::size_t currentSource = rows.empty() ? 0 : rows.front();
  auto emit = [&] {
    if (current.size() >= 2) {
      out.tokens += static_cast<std::int64_t>(current.size());
      out.ids.push_back(current);
      out.predictFrom.push_back(1);
      out.labels.push_back(-1);
      out.source.push_back(currentSource);
    }
    current.clear();
  };
  auto append = [&](int id, std::size_t row) {
    if (current.empty()) currentSource = row;
    current.push_back(id);
    if (current.size() == block) emit();
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    append(o.bos, rows[i]);
    for (int id : tokens[paired ? 2 * i : i]) append(id, rows[i]);
    if (paired)
      for (int id : tokens[2 * i + 1]) append(id, rows[i]);
    append(o.eos, rows[i]);
  }
  emit();
  return out;
}

}  // namespace fts
