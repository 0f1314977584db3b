#include "core/import/GgufTokenizerImport.h"

#include "core/import/SentencePieceModelWriter.h"

#include <nlohmann/json.hpp>

#include <set>
#include <stdexcept>

namespace fts {
namespace {

using json = nlohmann::ordered_json;

// GPT-2's split (HF's ByteLevel pre-tokenizer with use_regex): contractions, letters, numbers and other
// characters each with an optional leading space, then runs of spaces.
constexpr const char* kGpt2Regex = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
// Llama 3's (llama.cpp "llama-bpe"): case-insensitive contractions, a letter run with one leading
// non-letter, numbers of at most 3 digits, line breaks kept apart.
constexpr const char* kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Qwen2's: Llama 3's with every digit on its own.
constexpr const char* kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

[[noreturn]] void fail(const GgufReader& r, const std::string& what) { throw std::runtime_error(r.path().string() + ": " + what); }

std::vector<std::string> stringArray(const GgufReader& r, const std::string& key) {
  const GgufValue* v = r.find(key);
  if (!v || !v->isArray() || v->elementType != GgufType::STRING) fail(r, "has no string array '" + key + "', which the tokenizer needs");
  std::vector<std::string> out;
  out.reserve(v->items.size());
  for (const auto& item : v->items) out.push_back(item.asString());
  return out;
}

// tokenizer.ggml.token_type (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte); all
// normal when absent.
std::vector<int> tokenTypes(const GgufReader& r, size_t count) {
  std::vector<int> out(count, 1);
  const GgufValue* v = r.find("tokenizer.ggml.token_type");
  if (!v) return out;
  if (!v->isArray() || v->items.size() != count)
    fail(r, "tokenizer.ggml.token_type has " + std::to_string(v->isArray() ? v->items.size() : 0) + " entries for " + std::to_string(count) + " tokens");
  for (size_t i = 0; i < count; ++i) out[i] = static_cast<int>(v->items[i].asSigned());
  return out;
}

int idOf(const GgufReader& r, const char* key, size_t vocab) {
  const GgufValue* v = r.find(key);
  if (!v) return -1;
  const int64_t id = v->asSigned();
  if (id < 0 || static_cast<size_t>(id) >= vocab) fail(r, std::string(key) + " is " + std::to_string(id) + ", outside the vocabulary");
  return static_cast<int>(id);
}

bool flag(const GgufReader& r, const char* key, bool fallback) {
  const GgufValue* v = r.find(key);
  return v ? v->asBool() : fallback;
}

std::string q(const std::string& s) { return json(s).dump(); }  // a JSON string literal

struct Specials {
  int bos = -1, eos = -1, unk = -1, pad = -1;
  bool addBos = false, addEos = false;
};

Specials readSpecials(const GgufReader& r, size_t vocab, bool addBosDefault) {
  Specials s;
  s.bos = idOf(r, "tokenizer.ggml.bos_token_id", vocab);
  s.eos = idOf(r, "tokenizer.ggml.eos_token_id", vocab);
  s.unk = idOf(r, "tokenizer.ggml.unknown_token_id", vocab);
  s.pad = idOf(r, "tokenizer.ggml.padding_token_id", vocab);
  s.addBos = flag(r, "tokenizer.ggml.add_bos_token", addBosDefault) && s.bos >= 0;
  s.addEos = flag(r, "tokenizer.ggml.add_eos_token", false) && s.eos >= 0;
  return s;
}

// tokenizer_config.json and special_tokens_map.json, shared by both kinds.
void addConfigFiles(GgufTokenizerFiles& out, const GgufReader& r, const std::vector<std::string>& tokens, const Specials& s,
                    int contextLength, const std::string& tokenizerClass) {
  json special = json::object();
  if (s.bos >= 0) special["bos_token"] = tokens[s.bos];
  if (s.eos >= 0) special["eos_token"] = tokens[s.eos];
  if (s.unk >= 0) special["unk_token"] = tokens[s.unk];
  if (s.pad >= 0) special["pad_token"] = tokens[s.pad];
  json c;
  c["tokenizer_class"] = tokenizerClass;
  c["add_bos_token"] = s.addBos;
  c["add_eos_token"] = s.addEos;
  for (const auto& [k, v] : special.items()) c[k] = v;
  if (const GgufValue* t = r.find("tokenizer.chat_template"); t && t->type == GgufType::STRING) c["chat_template"] = t->asString();
  c["clean_up_tokenization_spaces"] = false;
  c["model_max_length"] = contextLength;
  if (tokenizerClass == "LlamaTokenizer") {
    c["legacy"] = true;  // SentencePiece's own handling of a leading space, as HfExport writes it
    c["sp_model_kwargs"] = json::object();
  }
  out.files.emplace_back("tokenizer_config.json", c.dump(2) + "\n");
  out.files.emplace_back("special_tokens_map.json", special.dump(2) + "\n");
}

GgufTokenizerFiles byteLevelBpe(const GgufReader& r, int contextLength) {
  GgufTokenizerFiles out;
  out.kind = "bpe";
  const auto tokens = stringArray(r, "tokenizer.ggml.tokens");
  const auto merges = stringArray(r, "tokenizer.ggml.merges");
  const auto types = tokenTypes(r, tokens.size());
  out.pre = r.find("tokenizer.ggml.pre") ? r.at("tokenizer.ggml.pre").asString() : "";
  std::vector<std::string> regexes;
  try {
    regexes = bpeSplitRegexes(out.pre);
  } catch (const std::invalid_argument& e) {
    fail(r, e.what());
  }
  if (out.pre.empty()) out.notes.push_back("no tokenizer.ggml.pre: GPT-2's split regex assumed (llama.cpp's default)");
  for (const auto& m : merges)
    if (m.find(' ') == std::string::npos || m.find(' ') != m.rfind(' '))
      fail(r, "tokenizer.ggml.merges holds '" + m + "', not two tokens separated by one space");
  // Without tokenizer.ggml.add_bos_token, llama.cpp adds BOS to byte-level BPE text for llama-bpe only.
  const Specials s = readSpecials(r, tokens.size(), out.pre == "llama-bpe" || out.pre == "llama3");

  std::set<std::string> seen;
  int duplicates = 0;
  json added = json::array();
  for (size_t id = 0; id < tokens.size(); ++id) {
    if (!seen.insert(tokens[id]).second) ++duplicates;
    if (types[id] != 2 && types[id] != 3 && types[id] != 4) continue;
    added.push_back({{"id", id}, {"content", tokens[id]}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
                     {"normalized", false}, {"special", types[id] != 4}});
  }
  if (duplicates > 0)
    fail(r, "tokenizer.ggml.tokens holds " + std::to_string(duplicates) + " duplicate tokens: a BPE vocabulary maps each token to one id");

  json pre = json::array();
  for (const auto& re : regexes)
    pre.push_back({{"type", "Split"}, {"pattern", {{"Regex", re}}}, {"behavior", "Isolated"}, {"invert", false}});
  pre.push_back({{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}});
  json normalizer = nullptr;
  if (out.pre == "qwen2") normalizer = {{"type", "NFC"}};

  json post;
  if (s.addBos || s.addEos) {
    auto seq = [&](const char* id, int typeId) {
      json items = json::array();
      if (s.addBos) items.push_back({{"SpecialToken", {{"id", tokens[s.bos]}, {"type_id", typeId}}}});
      items.push_back({{"Sequence", {{"id", id}, {"type_id", typeId}}}});
      if (s.addEos) items.push_back({{"SpecialToken", {{"id", tokens[s.eos]}, {"type_id", typeId}}}});
      return items;
    };
    json pair = seq("A", 0);
    for (auto& item : seq("B", 1)) pair.push_back(item);
    json specialTokens = json::object();
    for (int id : {s.addBos ? s.bos : -1, s.addEos ? s.eos : -1})
      if (id >= 0) specialTokens[tokens[id]] = {{"id", tokens[id]}, {"ids", {id}}, {"tokens", {tokens[id]}}};
    post = {{"type", "TemplateProcessing"}, {"single", seq("A", 0)}, {"pair", pair}, {"special_tokens", specialTokens}};
  } else {
    post = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}};
  }
  const json decoder = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};

  // Written by hand around the vocabulary and merges (50k entries each): one per line, in id order.
  std::string t;
  t.reserve(tokens.size() * 24 + merges.size() * 24 + 4096);
  t += "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n";
  t += "  \"added_tokens\": " + added.dump() + ",\n";
  t += "  \"normalizer\": " + normalizer.dump() + ",\n";
  t += "  \"pre_tokenizer\": " + json{{"type", "Sequence"}, {"pretokenizers", pre}}.dump() + ",\n";
  t += "  \"post_processor\": " + post.dump() + ",\n";
  t += "  \"decoder\": " + decoder.dump() + ",\n";
  t += "  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n"
       "    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n    \"fuse_unk\": false,\n"
       "    \"byte_fallback\": false,\n";
  // Llama 3 takes a whole pre-token that is in the vocabulary as it is, before any merge.
  t += std::string("    \"ignore_merges\": ") + (out.pre == "llama-bpe" || out.pre == "llama3" ? "true" : "false") + ",\n";
  t += "    \"vocab\": {";
  for (size_t id = 0; id < tokens.size(); ++id) t += (id ? ",\n      " : "\n      ") + q(tokens[id]) + ": " + std::to_string(id);
  t += "\n    },\n    \"merges\": [";
  for (size_t i = 0; i < merges.size(); ++i) t += (i ? ",\n      " : "\n      ") + q(merges[i]);
  t += "\n    ]\n  }\n}\n";
  out.files.emplace_back("tokenizer.json", std::move(t));
  addConfigFiles(out, r, tokens, s, contextLength, "PreTrainedTokenizerFast");
  return out;
}

GgufTokenizerFiles sentencePiece(const GgufReader& r, int contextLength) {
  GgufTokenizerFiles out;
  out.kind = "sentencepiece";
  const auto tokens = stringArray(r, "tokenizer.ggml.tokens");
  const auto types = tokenTypes(r, tokens.size());
  std::vector<float> scores(tokens.size(), 0.0f);
  if (const GgufValue* v = r.find("tokenizer.ggml.scores")) {
    if (!v->isArray() || v->items.size() != tokens.size()) fail(r, "tokenizer.ggml.scores does not have one score per token");
    for (size_t i = 0; i < tokens.size(); ++i) scores[i] = static_cast<float>(v->items[i].asFloat());
  }
  const Specials s = readSpecials(r, tokens.size(), true);
  SentencePieceModelSpec spec;
  for (size_t i = 0; i < tokens.size(); ++i) spec.pieces.push_back({tokens[i], scores[i], types[i]});
  spec.unkId = s.unk;
  if (spec.unkId < 0)
    for (size_t i = 0; i < types.size(); ++i)
      if (types[i] == 2) spec.unkId = static_cast<int>(i);
  spec.bosId = s.bos;
  spec.eosId = s.eos;
  spec.padId = s.pad;
  try {
    out.files.emplace_back("tokenizer.model", serializeSentencePieceModel(spec));
  } catch (const std::invalid_argument& e) {
    fail(r, std::string("the tokenizer.ggml.* vocabulary cannot be a SentencePiece model: ") + e.what());
  }
  out.notes.push_back("tokenizer.model written as a SentencePiece BPE model (llama.cpp merges by score; the GGUF file does not say "
                      "whether the pieces came from a unigram model)");
  addConfigFiles(out, r, tokens, s, contextLength, "LlamaTokenizer");
  return out;
}

}  // namespace

std::vector<std::string> bpeSplitRegexes(const std::string& pre) {
  if (pre.empty() || pre == "default" || pre == "gpt2" || pre == "gpt-2") return {kGpt2Regex};
  if (pre == "llama-bpe" || pre == "llama3") return {kLlama3Regex};
  if (pre == "qwen2") return {kQwen2Regex};
  // SmolLM and the StarCoder family split every digit apart first, then as GPT-2.
  if (pre == "smollm" || pre == "starcoder" || pre == "refact" || pre == "codeshell") return {R"(\p{N})", kGpt2Regex};
  throw std::invalid_argument("tokenizer.ggml.pre is '" + pre +
                              "', a pre-tokenizer the importer does not know (it knows gpt2, llama-bpe, qwen2, smollm, starcoder, refact, "
                              "codeshell): its split regex decides the token ids, so it is not guessed");
}

GgufTokenizerFiles tokenizerFilesFromGguf(const GgufReader& r, int contextLength) {
  const GgufValue* m = r.find("tokenizer.ggml.model");
  if (!m) fail(r, "has no 'tokenizer.ggml.model': the importer needs the tokenizer");
  const std::string model = m->asString();
  if (model == "gpt2") return byteLevelBpe(r, contextLength);
  if (model == "llama") return sentencePiece(r, contextLength);
  fail(r, "tokenizer.ggml.model is '" + model + "', which the importer does not convert (it converts 'gpt2', byte-level BPE, and 'llama', SentencePiece)");
}

}  // namespace fts
