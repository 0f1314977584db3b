#include "core/text/HfTokenizerJson.h"

#include "core/text/ByteLevelBpeTokenizer.h"
#include "core/text/WordPieceTokenizer.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace fts {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kWhatWeRead =
    "the studio reads WordPiece (BERT) and byte-level BPE (GPT-2, Llama 3, Qwen2, SmolLM2) tokenizer.json files";

[[noreturn]] void unsupported(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": unsupported " + what + " (" + kWhatWeRead + ")");
}

[[noreturn]] void malformed(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

json parseJsonFile(const fs::path& file, const std::string& bytes) {
  try {
    return json::parse(bytes);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(file.string() + ": not valid JSON at byte " + std::to_string(e.byte) + " (" + e.what() +
                             "); the file is damaged or not a tokenizer file");
  }
}

std::string typeOf(const json& j) { return j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : ""; }

bool boolOr(const json& j, const char* key, bool fallback) {
  return j.contains(key) && j[key].is_boolean() ? j[key].get<bool>() : fallback;
}

// "[CLS]", or {"content": "[CLS]", ...} as transformers writes AddedToken objects; "" for null.
std::string tokenText(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.contains("content") && j["content"].is_string()) return j["content"].get<std::string>();
  return {};
}

void readNormalizer(const json& j, const fs::path& file, HfNormalizer& out) {
  if (j.is_null()) return;
  const std::string type = typeOf(j);
  using K = HfNormalizerStep::Kind;
  HfNormalizerStep step;
  if (type == "Sequence") {
    for (const json& inner : j.value("normalizers", json::array())) readNormalizer(inner, file, out);
    return;
  }
  if (type == "BertNormalizer") {
    step.kind = K::Bert;
    step.cleanText = boolOr(j, "clean_text", true);
    step.handleChineseChars = boolOr(j, "handle_chinese_chars", true);
    step.lowercase = boolOr(j, "lowercase", true);
    // null: strip accents exactly when lowercasing (BERT uncased), as the tokenizers crate decides.
    step.stripAccents = boolOr(j, "strip_accents", step.lowercase);
  } else if (type == "NFC") {
    step.kind = K::Nfc;
  } else if (type == "NFD") {
    step.kind = K::Nfd;
  } else if (type == "NFKC") {
    step.kind = K::Nfkc;
  } else if (type == "NFKD") {
    step.kind = K::Nfkd;
  } else if (type == "Lowercase") {
    step.kind = K::Lowercase;
  } else if (type == "StripAccents") {
    step.kind = K::StripAccents;
  } else {
    unsupported(file, "normalizer \"" + type + "\"");
  }
  out.add(step);
}

HfSplitBehavior splitBehavior(const json& j, const fs::path& file) {
  const std::string b = j.is_string() ? j.get<std::string>() : "";
  if (b == "Removed") return HfSplitBehavior::Removed;
  if (b == "Isolated") return HfSplitBehavior::Isolated;
  if (b == "MergedWithPrevious") return HfSplitBehavior::MergedWithPrevious;
  if (b == "MergedWithNext") return HfSplitBehavior::MergedWithNext;
  if (b == "Contiguous") return HfSplitBehavior::Contiguous;
  unsupported(file, "Split behavior \"" + b + "\"");
}

// Returns whether a ByteLevel step was among them (byte-level BPE needs one).
bool readPreTokenizer(const json& j, const fs::path& file, HfPreTokenizer& out) {
  if (j.is_null()) return false;
  const std::string type = typeOf(j);
  using K = HfPreTokenizerStep::Kind;
  HfPreTokenizerStep step;
  if (type == "Sequence") {
    bool byteLevel = false;
    for (const json& inner : j.value("pretokenizers", json::array())) byteLevel = readPreTokenizer(inner, file, out) || byteLevel;
    return byteLevel;
  }
  if (type == "BertPreTokenizer") {
    step.kind = K::Bert;
  } else if (type == "Whitespace") {
    step.kind = K::Whitespace;
  } else if (type == "WhitespaceSplit") {
    step.kind = K::WhitespaceSplit;
  } else if (type == "Digits") {
    step.kind = K::Digits;
    step.individualDigits = boolOr(j, "individual_digits", false);
  } else if (type == "Split") {
    step.kind = K::Split;
    const json& pattern = j.value("pattern", json::object());
    if (pattern.contains("Regex") && pattern["Regex"].is_string()) {
      try {
        step.regex = std::make_shared<const Pcre2Regex>(pattern["Regex"].get<std::string>());
      } catch (const std::exception& e) {
        malformed(file, std::string("the Split pre-tokenizer's ") + e.what());
      }
    } else if (pattern.contains("String") && pattern["String"].is_string()) {
      step.literal = pattern["String"].get<std::string>();
    } else {
      malformed(file, "a Split pre-tokenizer without a \"Regex\" or \"String\" pattern");
    }
    step.behavior = splitBehavior(j.value("behavior", json()), file);
    step.invert = boolOr(j, "invert", false);
  } else if (type == "ByteLevel") {
    step.kind = K::ByteLevel;
    step.addPrefixSpace = boolOr(j, "add_prefix_space", true);
    step.useRegex = boolOr(j, "use_regex", true);
  } else {
    unsupported(file, "pre-tokenizer \"" + type + "\"");
  }
  out.add(std::move(step));
  return type == "ByteLevel";
}

// The ids a template's special token stands for: special_tokens[name].ids.
std::vector<int> templateTokenIds(const json& specialTokens, const std::string& name, const fs::path& file) {
  if (!specialTokens.contains(name) || !specialTokens[name].contains("ids"))
    malformed(file, "the post-processor's template names \"" + name + "\", which its special_tokens lack");
  return specialTokens[name]["ids"].get<std::vector<int>>();
}

std::vector<HfTemplateItem> readTemplate(const json& items, const json& specialTokens, const fs::path& file) {
  std::vector<HfTemplateItem> out;
  for (const json& item : items) {
    HfTemplateItem t;
    if (item.contains("SpecialToken")) {
      const json& s = item["SpecialToken"];
      t.ids = templateTokenIds(specialTokens, s.value("id", std::string()), file);
      t.typeId = s.value("type_id", 0);
    } else if (item.contains("Sequence")) {
      const json& s = item["Sequence"];
      t.sequence = s.value("id", std::string("A")) == "B" ? 1 : 0;
      t.typeId = s.value("type_id", 0);
    } else {
      malformed(file, "a post-processor template item that is neither SpecialToken nor Sequence: " + item.dump());
    }
    out.push_back(std::move(t));
  }
  return out;
}

void readPostProcessor(const json& j, const fs::path& file, HfTokenizerParts& parts) {
  if (j.is_null()) return;
  const std::string type = typeOf(j);
  const auto single = [](int id) { return HfTemplateItem{-1, {id}, 0}; };
  if (type == "Sequence") {
    for (const json& inner : j.value("processors", json::array())) readPostProcessor(inner, file, parts);
  } else if (type == "ByteLevel") {
    // Offsets only: adds no tokens.
  } else if (type == "TemplateProcessing") {
    const json& specials = j.value("special_tokens", json::object());
    parts.singleTemplate = readTemplate(j.value("single", json::array()), specials, file);
    parts.pairTemplate = readTemplate(j.value("pair", json::array()), specials, file);
    parts.hasTemplate = true;
  } else if (type == "BertProcessing" || type == "RobertaProcessing") {
    // {"sep": ["[SEP]", 102], "cls": ["[CLS]", 101]}
    const int sep = j.at("sep").at(1).get<int>(), cls = j.at("cls").at(1).get<int>();
    HfTemplateItem a{0, {}, 0}, b{1, {}, type == "BertProcessing" ? 1 : 0};
    parts.singleTemplate = {single(cls), a, single(sep)};
    if (type == "BertProcessing") {
      parts.pairTemplate = {single(cls), a, single(sep), b, HfTemplateItem{-1, {sep}, 1}};
    } else {
      parts.pairTemplate = {single(cls), a, single(sep), single(sep), b, single(sep)};
    }
    parts.hasTemplate = true;
  } else {
    unsupported(file, "post-processor \"" + type + "\"");
  }
}

std::vector<BpeMerge> readMerges(const json& merges, const fs::path& file) {
  std::vector<BpeMerge> out;
  out.reserve(merges.size());
  for (const json& m : merges) {
    if (m.is_string()) {
      // The older form: "Ġ t", the two pieces separated by one space.
      const std::string s = m.get<std::string>();
      const std::size_t space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
        malformed(file, "merge " + std::to_string(out.size()) + " (\"" + s + "\") is not two pieces separated by one space");
      out.push_back({s.substr(0, space), s.substr(space + 1)});
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      out.push_back({m[0].get<std::string>(), m[1].get<std::string>()});
    } else {
      malformed(file, "merge " + std::to_string(out.size()) + " is neither \"a b\" nor [\"a\", \"b\"]: " + m.dump());
    }
  }
  return out;
}

// tokenizer_config.json and special_tokens_map.json beside the tokenizer.json, when present.
struct SideFiles {
  json config = json::object();
  json specialTokensMap = json::object();
};

SideFiles readSideFiles(const fs::path& file, HfTokenizerParts& parts) {
  SideFiles side;
  const fs::path dir = file.parent_path();
  for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
    const fs::path p = dir / name;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) continue;
    std::string bytes = readWholeFile(p);
    json j = parseJsonFile(p, bytes);
    if (!j.is_object()) malformed(p, "expected a JSON object");
    (std::string(name) == "tokenizer_config.json" ? side.config : side.specialTokensMap) = std::move(j);
    parts.files.emplace_back(name, std::move(bytes));
  }
  return side;
}

// The token text configured for `key` (tokenizer_config.json first, then special_tokens_map.json).
std::string configuredToken(const SideFiles& side, const char* key) {
  if (side.config.contains(key)) {
    const std::string t = tokenText(side.config[key]);
    if (!t.empty()) return t;
  }
  if (side.specialTokensMap.contains(key)) return tokenText(side.specialTokensMap[key]);
  return {};
}

int idOf(const HfTokenizerParts& parts, const std::string& token) {
  if (token.empty()) return -1;
  for (const auto& t : parts.addedTokens)
    if (t.content == token) return t.id;
  const auto it = parts.vocab.find(token);
  return it == parts.vocab.end() ? -1 : it->second;
}

int firstFound(const HfTokenizerParts& parts, std::initializer_list<std::string> tokens) {
  for (const auto& t : tokens)
    if (const int id = idOf(parts, t); id >= 0) return id;
  return -1;
}

// A template's special tokens before and after $A in the single template (Llama 3's BOS).
int templateTokenAround(const HfTokenizerParts& parts, bool before) {
  bool seenA = false;
  int found = -1;
  for (const auto& item : parts.singleTemplate) {
    if (item.sequence == 0) {
      seenA = true;
      if (before) break;
      continue;
    }
    if (item.sequence < 0 && !item.ids.empty() && seenA != before && found < 0) found = item.ids.front();
  }
  return found;
}

std::string readChatTemplate(const json& config) {
  if (!config.contains("chat_template")) return {};
  const json& t = config["chat_template"];
  if (t.is_string()) return t.get<std::string>();
  // A list of named templates: the "default" one.
  if (t.is_array())
    for (const json& named : t)
      if (named.value("name", std::string()) == "default" && named.contains("template")) return named["template"].get<std::string>();
  return {};
}

}  // namespace

std::unique_ptr<Tokenizer> loadHfTokenizerJson(const fs::path& tokenizerJson) {
  std::string bytes = readWholeFile(tokenizerJson);
  const json root = parseJsonFile(tokenizerJson, bytes);
  if (!root.is_object() || !root.contains("model") || !root["model"].is_object())
    malformed(tokenizerJson, "no \"model\" object: not a Hugging Face tokenizer.json");

  HfTokenizerParts parts;
  parts.sourceFile = tokenizerJson;
  parts.files.emplace_back("tokenizer.json", std::move(bytes));
  const json& model = root["model"];
  std::string type = typeOf(model);
  if (type.empty()) type = model.contains("merges") ? "BPE" : model.contains("continuing_subword_prefix") ? "WordPiece" : "";
  if (type != "WordPiece" && type != "BPE") unsupported(tokenizerJson, "model type \"" + type + "\"");

  try {
    if (!model.contains("vocab") || !model["vocab"].is_object()) malformed(tokenizerJson, "model.vocab is not an object of piece -> id");
    parts.vocab.reserve(model["vocab"].size());
    for (const auto& [piece, id] : model["vocab"].items()) parts.vocab.emplace(piece, id.get<int>());
    for (const json& t : root.value("added_tokens", json::array())) {
      HfAddedToken a;
      a.id = t.at("id").get<int>();
      a.content = t.at("content").get<std::string>();
      a.special = t.value("special", false);
      a.lstrip = t.value("lstrip", false);
      a.rstrip = t.value("rstrip", false);
      a.singleWord = t.value("single_word", false);
      a.normalized = t.value("normalized", !a.special);
      parts.addedTokens.push_back(std::move(a));
    }
    readNormalizer(root.value("normalizer", json()), tokenizerJson, parts.normalizer);
    const bool byteLevel = readPreTokenizer(root.value("pre_tokenizer", json()), tokenizerJson, parts.preTokenizer);
    readPostProcessor(root.value("post_processor", json()), tokenizerJson, parts);
    const SideFiles side = readSideFiles(tokenizerJson, parts);
    parts.chatTemplate = readChatTemplate(side.config);
    parts.addBos = boolOr(side.config, "add_bos_token", false);
    parts.addEos = boolOr(side.config, "add_eos_token", false);
    const std::string modelUnk = model.contains("unk_token") ? tokenText(model["unk_token"]) : "";
    parts.unkId = idOf(parts, configuredToken(side, "unk_token"));
    if (parts.unkId < 0) parts.unkId = idOf(parts, modelUnk);
    parts.padId = idOf(parts, configuredToken(side, "pad_token"));
    parts.maskId = idOf(parts, configuredToken(side, "mask_token"));
    const json decoder = root.value("decoder", json());
    const std::string decoderType = typeOf(decoder);

    if (type == "WordPiece") {
      // bos/eos of an encoder are what frames its sequences: [CLS] and [SEP].
      parts.bosId = idOf(parts, configuredToken(side, "cls_token"));
      if (parts.bosId < 0) parts.bosId = firstFound(parts, {"[CLS]"});
      parts.eosId = idOf(parts, configuredToken(side, "sep_token"));
      if (parts.eosId < 0) parts.eosId = firstFound(parts, {"[SEP]"});
      if (parts.padId < 0) parts.padId = firstFound(parts, {"[PAD]"});
      if (parts.maskId < 0) parts.maskId = firstFound(parts, {"[MASK]"});
      if (parts.unkId < 0) parts.unkId = firstFound(parts, {"[UNK]"});
      WordPieceOptions o;
      o.continuingSubwordPrefix = model.contains("continuing_subword_prefix") && model["continuing_subword_prefix"].is_string()
                                      ? model["continuing_subword_prefix"].get<std::string>()
                                      : "##";
      o.maxInputCharsPerWord = model.value("max_input_chars_per_word", 100);
      o.decoderPrefix = o.continuingSubwordPrefix;
      o.unkId = idOf(parts, modelUnk);
      if (decoderType == "WordPiece") {
        o.decoderPrefix = decoder.value("prefix", o.decoderPrefix);
        o.cleanup = boolOr(decoder, "cleanup", true);
      } else if (!decoder.is_null()) {
        unsupported(tokenizerJson, "decoder \"" + decoderType + "\" for a WordPiece model");
      }
      return std::make_unique<WordPieceTokenizer>(std::move(parts), o);
    }

    // BPE: byte-level only. SentencePiece-style BPE (Llama 2, Mistral: Metaspace, byte fallback)
    // is another algorithm under the same model type.
    if (!byteLevel) unsupported(tokenizerJson, "BPE without a ByteLevel pre-tokenizer (SentencePiece-style BPE, as Llama 2 and Mistral write it)");
    if (boolOr(model, "byte_fallback", false)) unsupported(tokenizerJson, "BPE option byte_fallback");
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
      if (model.contains(key) && model[key].is_string() && !model[key].get<std::string>().empty())
        unsupported(tokenizerJson, std::string("BPE option ") + key);
    if (model.contains("dropout") && model["dropout"].is_number() && model["dropout"].get<double>() > 0)
      unsupported(tokenizerJson, "BPE dropout (a training-time option)");
    if (decoderType != "ByteLevel") unsupported(tokenizerJson, "decoder \"" + decoderType + "\" for a byte-level BPE model");
    parts.bosId = idOf(parts, configuredToken(side, "bos_token"));
    if (parts.bosId < 0) parts.bosId = templateTokenAround(parts, true);
    parts.eosId = idOf(parts, configuredToken(side, "eos_token"));
    if (parts.eosId < 0) parts.eosId = templateTokenAround(parts, false);
    if (parts.eosId < 0) parts.eosId = firstFound(parts, {"<|endoftext|>", "<|end_of_text|>", "</s>"});
    BpeOptions o;
    o.ignoreMerges = boolOr(model, "ignore_merges", false);
    o.fuseUnk = boolOr(model, "fuse_unk", false);
    o.unkId = idOf(parts, modelUnk);
    const std::vector<BpeMerge> merges = readMerges(model.value("merges", json::array()), tokenizerJson);
    try {
      return std::make_unique<ByteLevelBpeTokenizer>(std::move(parts), merges, o);
    } catch (const std::runtime_error& e) {
      malformed(tokenizerJson, e.what());
    }
  } catch (const json::exception& e) {
    // A field of the wrong type or missing (json's own message names it).
    malformed(tokenizerJson, std::string("unexpected content: ") + e.what());
  }
}

}  // namespace fts
