#include "core/export/HfExport.h"

#include "core/model/LlamaModules.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string_view>

namespace fts {
namespace fs = std::filesystem;
namespace {

using json = nlohmann::ordered_json;

struct SpecialPieces {
  int bos, eos, unk, pad;
  std::string bosPiece, eosPiece, unkPiece, padPiece;  // empty when the id is not a piece
};

SpecialPieces specialPieces(const LlamaConfig& c, const SentencePieceTokenizer& tok) {
  SpecialPieces s;
  s.bos = tok.bosId() >= 0 ? tok.bosId() : c.bos_token_id;
  s.eos = tok.eosId() >= 0 ? tok.eosId() : c.eos_token_id;
  s.unk = tok.unkId();
  s.pad = tok.padId() >= 0 ? tok.padId() : c.pad_token_id;
  auto piece = [&](int id) { return id >= 0 && id < tok.vocabSize() ? tok.piece(id) : std::string(); };
  s.bosPiece = piece(s.bos);
  s.eosPiece = piece(s.eos);
  s.unkPiece = piece(s.unk);
  s.padPiece = piece(s.pad);
  return s;
}

// Reads a protobuf varint at `at`; false when the bytes end first.
bool readVarint(std::string_view b, size_t& at, uint64_t& v) {
  v = 0;
  for (int shift = 0; at < b.size() && shift < 64; shift += 7) {
    const auto byte = static_cast<uint8_t>(b[at++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

// Walks one protobuf message, calling fn(field, wireType, varintValue, bytes) per field. False when malformed.
template <typename Fn>
bool walkProto(std::string_view b, Fn fn) {
  size_t at = 0;
  while (at < b.size()) {
    uint64_t key, v = 0;
    if (!readVarint(b, at, key)) return false;
    const auto field = key >> 3, wire = key & 7;
    std::string_view bytes;
    if (wire == 0) {
      if (!readVarint(b, at, v)) return false;
    } else if (wire == 1 || wire == 5) {
      const size_t n = wire == 1 ? 8 : 4;
      if (b.size() - at < n) return false;
      at += n;
    } else if (wire == 2) {
      if (!readVarint(b, at, v) || v > b.size() - at) return false;
      bytes = b.substr(at, v);
      at += v;
    } else {
      return false;
    }
    fn(field, wire, v, bytes);
  }
  return true;
}

}  // namespace

int sentencePieceModelType(std::string_view serialized) {
  // ModelProto: trainer_spec = 2 (TrainerSpec: model_type = 3, UNIGRAM 1 by default, BPE 2, WORD 3, CHAR 4).
  int type = 1;
  walkProto(serialized, [&](uint64_t field, uint64_t wire, uint64_t, std::string_view bytes) {
    if (field != 2 || wire != 2) return;
    walkProto(bytes, [&](uint64_t f, uint64_t w, uint64_t v, std::string_view) {
      if (f == 3 && w == 0) type = static_cast<int>(v);
    });
  });
  return type;
}

std::string hfGenerationConfigJson(const LlamaConfig& c) {
  json j;
  j["_from_model_config"] = true;
  j["bos_token_id"] = c.bos_token_id;
  j["eos_token_id"] = c.eos_token_id;
  j["pad_token_id"] = c.pad_token_id;
  return j.dump(2) + "\n";
}

std::string hfTokenizerConfigJson(const LlamaConfig& c, const SentencePieceTokenizer& tok, bool classifier) {
  const SpecialPieces s = specialPieces(c, tok);
  json j;
  // transformers 5 reads "LlamaTokenizer" as a BPE tokenizer whatever tokenizer.model holds, so a
  // unigram model (what the studio trains) would tokenize differently there without a word. The
  // generic fast class converts tokenizer.model by its own model type (the ids match SentencePiece's);
  // BPE models, as Llama 2 and Mistral ship, keep LlamaTokenizer. (transformers 4 loads either folder
  // with LlamaTokenizer.from_pretrained.)
  const bool bpe = sentencePieceModelType(tok.serialized()) == 2;
  j["tokenizer_class"] = bpe ? "LlamaTokenizer" : "PreTrainedTokenizerFast";
  j["add_bos_token"] = true;
  j["add_eos_token"] = classifier;
  if (!s.bosPiece.empty()) j["bos_token"] = s.bosPiece;
  if (!s.eosPiece.empty()) j["eos_token"] = s.eosPiece;
  if (!s.unkPiece.empty()) j["unk_token"] = s.unkPiece;
  if (!s.padPiece.empty()) j["pad_token"] = s.padPiece;
  // SentencePiece's own handling of a leading space (its dummy prefix): transformers' non-legacy mode
  // drops the prefix piece of text that starts with a space, which SentencePiece keeps.
  j["legacy"] = true;
  j["clean_up_tokenization_spaces"] = false;
  j["model_max_length"] = c.max_position_embeddings;
  // Classifiers pool the last real token of right-padded rows, as in training; generation pads left.
  j["padding_side"] = classifier ? "right" : "left";
  j["sp_model_kwargs"] = json::object();
  return j.dump(2) + "\n";
}

std::string hfSpecialTokensMapJson(const LlamaConfig& c, const SentencePieceTokenizer& tok) {
  const SpecialPieces s = specialPieces(c, tok);
  json j = json::object();
  if (!s.bosPiece.empty()) j["bos_token"] = s.bosPiece;
  if (!s.eosPiece.empty()) j["eos_token"] = s.eosPiece;
  if (!s.unkPiece.empty()) j["unk_token"] = s.unkPiece;
  if (!s.padPiece.empty()) j["pad_token"] = s.padPiece;
  return j.dump(2) + "\n";
}

void writeSentencePieceConfigs(const fs::path& folder, const LlamaConfig& c, const Tokenizer* tokenizer, bool classifier) {
  const auto* spm = dynamic_cast<const SentencePieceTokenizer*>(tokenizer);
  if (!spm) return;
  writeFileAtomically(folder / "tokenizer_config.json", hfTokenizerConfigJson(c, *spm, classifier));
  writeFileAtomically(folder / "special_tokens_map.json", hfSpecialTokensMapJson(c, *spm));
}

std::vector<std::string> writeHfExportFolder(const fs::path& folder, const LlamaForTask& model, const Tokenizer* tokenizer,
                                             const HfSaveOptions& options) {
  saveHfModelFolder(folder, model, tokenizer, options);
  const LlamaConfig& c = model->model->config;
  const bool classifier = model->kind == HeadKind::SequenceClassification;
  if (!classifier) writeFileAtomically(folder / "generation_config.json", hfGenerationConfigJson(c));
  writeSentencePieceConfigs(folder, c, tokenizer, classifier);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(folder)) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace fts
