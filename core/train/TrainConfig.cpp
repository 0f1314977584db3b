#include "core/train/TrainConfig.h"

#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace fts {
namespace {

using json = nlohmann::ordered_json;

json toJsonObject(const TrainConfig& c) {
  json j;
  j["task"] = c.task;
  j["data"] = {{"train", c.data.train},           {"validation", c.data.validation}, {"test", c.data.test},
               {"text_col", c.data.text_col},     {"label_col", c.data.label_col}, {"on_error", c.data.on_error},
               {"val_fraction", c.data.val_fraction}, {"max_len", c.data.max_len},
               {"truncation", c.data.truncation}, {"bucket_by_length", c.data.bucket_by_length}, {"pack", c.data.pack}};
  j["tokenizer"] = {{"type", c.tokenizer.type}, {"character_coverage", c.tokenizer.character_coverage},
                    {"byte_fallback", c.tokenizer.byte_fallback}, {"user_symbols", c.tokenizer.user_symbols},
                    {"max_sentences", c.tokenizer.max_sentences}};
  j["model"] = {{"type", c.model.type}, {"base", c.model.base},     {"vocab_size", c.model.vocab_size}, {"hidden_size", c.model.hidden_size},
                {"layers", c.model.layers}, {"heads", c.model.heads},           {"kv_heads", c.model.kv_heads},
                {"ffn_size", c.model.ffn_size}, {"tie_embeddings", c.model.tie_embeddings},
                {"max_positions", c.model.max_positions},
                {"dropout", c.model.dropout},   {"freeze_embeddings", c.model.freeze_embeddings},
                {"freeze_layers", c.model.freeze_layers}, {"lora_rank", c.model.lora_rank},
                {"lora_alpha", c.model.lora_alpha}, {"lora_dropout", c.model.lora_dropout},
                {"lora_targets", c.model.lora_targets}, {"pooling", c.model.pooling}};
  j["train"] = {{"steps", c.train.steps},           {"epochs", c.train.epochs},
                {"batch_size", c.train.batch_size}, {"lr", c.train.lr},
                {"weight_decay", c.train.weight_decay}, {"warmup_steps", c.train.warmup_steps},
                {"schedule", c.train.schedule},     {"grad_clip", c.train.grad_clip},
                {"eval_every", c.train.eval_every}, {"seed", c.train.seed},
                {"threads", c.train.threads},       {"optimizer", c.train.optimizer},
                {"momentum", c.train.momentum},     {"grad_accum", c.train.grad_accum},
                {"label_smoothing", c.train.label_smoothing}, {"class_weights", c.train.class_weights},
                {"bf16", c.train.bf16},             {"deterministic", c.train.deterministic},
                {"checkpoint_every", c.train.checkpoint_every}, {"keep_checkpoints", c.train.keep_checkpoints},
                {"early_stopping_patience", c.train.early_stopping_patience},
                {"early_stopping_metric", c.train.early_stopping_metric},
                {"early_stopping_min_delta", c.train.early_stopping_min_delta}};
  j["augment"] = {{"mode", c.augment.mode}, {"ops", c.augment.ops}, {"n", c.augment.n}, {"seed", c.augment.seed},
                  {"synonyms", c.augment.synonyms}};
  return j;
}

TrainConfig fromJsonObject(const json& j) {
  TrainConfig c;
  c.task = j.at("task").get<std::string>();
  const auto& d = j.at("data");
  c.data.train = d.at("train");
  c.data.validation = d.at("validation");
  c.data.test = d.at("test");
  c.data.text_col = d.at("text_col");
  c.data.label_col = d.at("label_col");
  c.data.on_error = d.at("on_error");
  c.data.val_fraction = d.at("val_fraction");
  c.data.max_len = d.at("max_len");
  c.data.truncation = d.at("truncation");
  c.data.bucket_by_length = d.at("bucket_by_length");
  c.data.pack = d.at("pack");
  const auto& tk = j.at("tokenizer");
  c.tokenizer.type = tk.at("type");
  c.tokenizer.character_coverage = tk.at("character_coverage");
  c.tokenizer.byte_fallback = tk.at("byte_fallback");
  c.tokenizer.user_symbols = tk.at("user_symbols");
  c.tokenizer.max_sentences = tk.at("max_sentences");
  const auto& m = j.at("model");
  c.model.type = m.at("type");
  c.model.base = m.at("base");
  c.model.vocab_size = m.at("vocab_size");
  c.model.hidden_size = m.at("hidden_size");
  c.model.layers = m.at("layers");
  c.model.heads = m.at("heads");
  c.model.kv_heads = m.at("kv_heads");
  c.model.ffn_size = m.at("ffn_size");
  c.model.tie_embeddings = m.at("tie_embeddings");
  c.model.max_positions = m.at("max_positions");
  c.model.dropout = m.at("dropout");
  c.model.freeze_embeddings = m.at("freeze_embeddings");
  c.model.freeze_layers = m.at("freeze_layers");
  c.model.lora_rank = m.at("lora_rank");
  c.model.lora_alpha = m.at("lora_alpha");
  c.model.lora_dropout = m.at("lora_dropout");
  c.model.lora_targets = m.at("lora_targets");
  c.model.pooling = m.at("pooling");
  const auto& t = j.at("train");
  c.train.steps = t.at("steps");
  c.train.epochs = t.at("epochs");
  c.train.batch_size = t.at("batch_size");
  c.train.lr = t.at("lr");
  c.train.weight_decay = t.at("weight_decay");
  c.train.warmup_steps = t.at("warmup_steps");
  c.train.schedule = t.at("schedule");
  c.train.grad_clip = t.at("grad_clip");
  c.train.eval_every = t.at("eval_every");
  c.train.seed = t.at("seed");
  c.train.threads = t.at("threads");
  c.train.optimizer = t.at("optimizer");
  c.train.momentum = t.at("momentum");
  c.train.grad_accum = t.at("grad_accum");
  c.train.label_smoothing = t.at("label_smoothing");
  c.train.class_weights = t.at("class_weights");
  c.train.bf16 = t.at("bf16");
  c.train.deterministic = t.at("deterministic");
  c.train.checkpoint_every = t.at("checkpoint_every");
  c.train.keep_checkpoints = t.at("keep_checkpoints");
  c.train.early_stopping_patience = t.at("early_stopping_patience");
  c.train.early_stopping_metric = t.at("early_stopping_metric");
  c.train.early_stopping_min_delta = t.at("early_stopping_min_delta");
  const auto& a = j.at("augment");
  c.augment.mode = a.at("mode");
  c.augment.ops = a.at("ops");
  c.augment.n = a.at("n");
  c.augment.seed = a.at("seed");
  c.augment.synonyms = a.at("synonyms");
  return c;
}

void collectKeys(const json& j, const std::string& prefix, std::vector<std::string>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) collectKeys(*it, key, out);
    else out.push_back(key);
  }
}

std::string keyList() {
  std::string out;
  for (const auto& k : TrainConfig::keys()) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// Converts text to the JSON type of the default value at that key.
json convertLike(const json& like, const std::string& key, const std::string& text) {
  try {
    size_t used = 0;
    if (like.is_number_integer()) {
      const long long v = std::stoll(text, &used);
      if (used != text.size()) throw std::invalid_argument("trailing characters");
      return v;
    }
    if (like.is_number()) {
      const double v = std::stod(text, &used);
      if (used != text.size()) throw std::invalid_argument("trailing characters");
      return v;
    }
    if (like.is_boolean()) {
      if (text == "true" || text == "1" || text == "yes") return true;
      if (text == "false" || text == "0" || text == "no") return false;
      throw std::invalid_argument("not a boolean");
    }
  } catch (const std::exception&) {
    throw std::invalid_argument("'" + key + "' takes " + (like.is_number_integer() ? "an integer" : like.is_number() ? "a number" : "true or false") +
                                ", not '" + text + "'");
  }
  return text;
}

// Overlays `patch` onto `base`, refusing keys the base does not have and values of the wrong type.
void overlay(json& base, const json& patch, const std::string& prefix, const std::string& source) {
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (!base.contains(it.key())) throw std::invalid_argument(source + ": unknown key '" + key + "' (valid keys: " + keyList() + ")");
    json& target = base[it.key()];
    if (target.is_object()) {
      if (!it->is_object()) throw std::invalid_argument(source + ": '" + key + "' must be an object");
      overlay(target, *it, key, source);
      continue;
    }
    const bool ok = (target.is_number() && it->is_number()) || (target.is_string() && (it->is_string() || it->is_null())) ||
                    (target.is_boolean() && it->is_boolean());
    if (!ok) throw std::invalid_argument(source + ": '" + key + "' has the wrong type (expected like " + target.dump() + ")");
    if (target.is_number_integer() && !it->is_number_integer())
      throw std::invalid_argument(source + ": '" + key + "' must be an integer");
    target = it->is_null() ? json("") : *it;
  }
}

}  // namespace

std::vector<std::string> TrainConfig::keys() {
  std::vector<std::string> out;
  collectKeys(toJsonObject(TrainConfig{}), "", out);
  return out;
}

void TrainConfig::set(const std::string& key, const std::string& value) {
  json j = toJsonObject(*this);
  json* node = &j;
  std::string rest = key;
  while (true) {
    const auto dot = rest.find('.');
    const std::string part = rest.substr(0, dot);
    if (!node->is_object() || !node->contains(part))
      throw std::invalid_argument("unknown setting '" + key + "' (valid keys: " + keyList() + ")");
    node = &(*node)[part];
    if (dot == std::string::npos) break;
    rest = rest.substr(dot + 1);
  }
  if (node->is_object()) throw std::invalid_argument("'" + key + "' is a section; set one of its keys");
  *node = convertLike(*node, key, value);
  *this = fromJsonObject(j);
}

std::string TrainConfig::toJson() const { return toJsonObject(*this).dump(2) + "\n"; }

TrainConfig TrainConfig::fromJson(const std::string& text, const std::string& source) {
  json patch;
  try {
    patch = json::parse(text);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(source + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!patch.is_object()) throw std::invalid_argument(source + ": must hold a JSON object");
  json base = toJsonObject(TrainConfig{});
  overlay(base, patch, "", source);
  return fromJsonObject(base);
}

ProjectFile ProjectFile::load(const std::filesystem::path& file) {
  const std::string text = readWholeFile(file);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(file.string() + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!j.is_object()) throw std::invalid_argument(file.string() + ": a project file holds a JSON object");
  ProjectFile p;
  p.path = std::filesystem::absolute(file);
  p.name = j.value("name", file.stem().string());
  j.erase("name");
  j.erase("description");
  p.config = TrainConfig::fromJson(j.dump(), file.string());
  const auto dir = p.path.parent_path();
  for (std::string* path : {&p.config.data.train, &p.config.data.validation, &p.config.data.test, &p.config.model.base})
    if (!path->empty() && std::filesystem::path(*path).is_relative()) *path = (dir / *path).lexically_normal().string();
  return p;
}

}  // namespace fts
