#include "core/text/HfTokenizer.h"

#include "core/text/Utf8.h"
#include "core/util/AtomicFile.h"

#include <algorithm>

namespace fts {

HfTokenizer::HfTokenizer(HfTokenizerParts parts) : parts_(std::move(parts)) {
  int size = 0;
  for (const auto& [p, id] : parts_.vocab) size = std::max(size, id + 1);
  for (const auto& t : parts_.addedTokens) size = std::max(size, t.id + 1);
  idToPiece_.resize(size);
  isSpecial_.assign(size, 0);
  for (const auto& [p, id] : parts_.vocab)
    if (id >= 0) idToPiece_[id] = p;
  for (const auto& t : parts_.addedTokens) {
    if (t.id < 0) continue;
    idToPiece_[t.id] = t.content;
    isSpecial_[t.id] = t.special;
    (t.normalized && !parts_.normalizer.empty() ? normalizedAdded_ : rawAdded_).add(t);
  }
}

void HfTokenizer::encodeNormalized(std::string_view normalized, std::vector<int>& out) const {
  for (const std::string& word : parts_.preTokenizer.apply(normalized)) encodeWord(word, out);
}

std::vector<int> HfTokenizer::encode(std::string_view text) const {
  // Text from files may hold any bytes; the steps below need valid UTF-8 (as Rust's &str is).
  std::string valid;
  if (!utf8::isValid(text)) {
    valid = utf8::toValid(text);
    text = valid;
  }
  std::vector<int> out;
  out.reserve(text.size() / 3 + 4);
  for (const HfTextSegment& seg : rawAdded_.split(text)) {
    if (seg.addedId >= 0) {
      out.push_back(seg.addedId);
      continue;
    }
    if (parts_.normalizer.empty()) {
      encodeNormalized(seg.text, out);
      continue;
    }
    const std::string normalized = parts_.normalizer.apply(seg.text);
    for (const HfTextSegment& inner : normalizedAdded_.split(normalized)) {
      if (inner.addedId >= 0) out.push_back(inner.addedId);
      else encodeNormalized(inner.text, out);
    }
  }
  return out;
}

HfEncoding HfTokenizer::frame(const std::vector<int>& a, const std::vector<int>* b) const {
  HfEncoding e;
  const auto append = [&](const std::vector<int>& ids, int typeId) {
    e.ids.insert(e.ids.end(), ids.begin(), ids.end());
    e.typeIds.insert(e.typeIds.end(), ids.size(), typeId);
  };
  if (parts_.hasTemplate) {
    for (const HfTemplateItem& item : b ? parts_.pairTemplate : parts_.singleTemplate) {
      if (item.sequence < 0) append(item.ids, item.typeId);
      else if (item.sequence == 0) append(a, item.typeId);
      else if (b) append(*b, item.typeId);
    }
    return e;
  }
  // No framing post-processor: tokenizer_config.json's add_bos_token/add_eos_token, as
  // transformers' Llama tokenizers apply them, around each sequence.
  const auto framed = [&](const std::vector<int>& ids, int typeId) {
    if (parts_.addBos && parts_.bosId >= 0) append({parts_.bosId}, typeId);
    append(ids, typeId);
    if (parts_.addEos && parts_.eosId >= 0) append({parts_.eosId}, typeId);
  };
  framed(a, 0);
  if (b) framed(*b, 1);
  return e;
}

std::vector<int> HfTokenizer::addSpecialTokens(const std::vector<int>& ids) const { return frame(ids, nullptr).ids; }

HfEncoding HfTokenizer::encodeWithSpecialTokens(std::string_view text) const { return frame(encode(text), nullptr); }

HfEncoding HfTokenizer::encodePair(std::string_view a, std::string_view b) const {
  const std::vector<int> second = encode(b);
  return frame(encode(a), &second);
}

std::string HfTokenizer::piece(int id) const {
  return id >= 0 && id < static_cast<int>(idToPiece_.size()) ? idToPiece_[id] : std::string();
}

int HfTokenizer::pieceId(std::string_view piece) const {
  for (const auto& t : parts_.addedTokens)
    if (t.content == piece) return t.id;
  const auto it = parts_.vocab.find(piece);
  return it == parts_.vocab.end() ? -1 : it->second;
}

bool HfTokenizer::isSpecial(int id) const {
  if (id >= 0 && id < static_cast<int>(isSpecial_.size()) && isSpecial_[id]) return true;
  return id >= 0 && (id == bosId() || id == eosId() || id == padId());
}

std::vector<std::string> HfTokenizer::saveFiles(const std::filesystem::path& folder) const {
  std::filesystem::create_directories(folder);
  std::vector<std::string> written;
  for (const auto& [name, bytes] : parts_.files) {
    writeFileAtomically(folder / name, bytes);
    written.push_back(name);
  }
  return written;
}

}  // namespace fts
