#include "core/model/BertConfig.h"

#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace fts {

void BertConfig::validate() const {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("model config: " + what);
  };
  need(vocab_size > 0, "vocab_size must be positive");
  need(hidden_size > 0, "hidden_size must be positive");
  need(num_hidden_layers >= 0, "num_hidden_layers must not be negative");
  need(num_attention_heads > 0, "num_attention_heads must be positive");
  need(hidden_size % num_attention_heads == 0, "hidden_size (" + std::to_string(hidden_size) +
                                                   ") must be divisible by num_attention_heads (" +
                                                   std::to_string(num_attention_heads) + ")");
  need(intermediate_size > 0, "intermediate_size must be positive");
  need(max_position_embeddings > 0, "max_position_embeddings must be positive");
  need(type_vocab_size > 0, "type_vocab_size must be positive");
  need(layer_norm_eps > 0, "layer_norm_eps must be positive");
  need(pad_token_id >= 0 && pad_token_id < vocab_size, "pad_token_id must be a token id below vocab_size");
  need(hidden_dropout_prob >= 0 && hidden_dropout_prob < 1, "hidden_dropout_prob must be in [0, 1)");
  need(attention_probs_dropout_prob >= 0 && attention_probs_dropout_prob < 1, "attention_probs_dropout_prob must be in [0, 1)");
  need(classifier_dropout < 1, "classifier_dropout must be below 1");
  need(hidden_act == "gelu" || tanhGelu(),
       "hidden_act '" + hidden_act + "' is not supported: BERT encoders here use gelu, gelu_new or gelu_pytorch_tanh");
  need(position_embedding_type == "absolute",
       "position_embedding_type '" + position_embedding_type +
           "' is not supported: only absolute position embeddings are (relative_key and relative_key_query are not)");
  need(classifier_pooling == "pooler" || classifier_pooling == "mean",
       "ftstudio_classifier_pooling '" + classifier_pooling + "' is unknown (pooler or mean)");
}

std::string BertConfig::toJson(const std::string& architecture) const {
  nlohmann::ordered_json j;
  j["architectures"] = {architecture};
  j["model_type"] = "bert";
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["intermediate_size"] = intermediate_size;
  j["hidden_act"] = hidden_act;
  j["hidden_dropout_prob"] = hidden_dropout_prob;
  j["attention_probs_dropout_prob"] = attention_probs_dropout_prob;
  if (classifier_dropout >= 0)
    j["classifier_dropout"] = classifier_dropout;
  else
    j["classifier_dropout"] = nullptr;
  j["max_position_embeddings"] = max_position_embeddings;
  j["type_vocab_size"] = type_vocab_size;
  j["layer_norm_eps"] = layer_norm_eps;
  j["pad_token_id"] = pad_token_id;
  j["position_embedding_type"] = position_embedding_type;
  j["tie_word_embeddings"] = tie_word_embeddings;
  j["initializer_range"] = 0.02;
  j["torch_dtype"] = "float32";
  if (!id2label.empty()) {
    nlohmann::ordered_json id2, l2id;
    for (size_t i = 0; i < id2label.size(); ++i) {
      id2[std::to_string(i)] = id2label[i];
      l2id[id2label[i]] = i;
    }
    j["id2label"] = id2;
    j["label2id"] = l2id;
    j["num_labels"] = id2label.size();
  }
  if (classifier_pooling != "pooler") j["ftstudio_classifier_pooling"] = classifier_pooling;
  return j.dump(2) + "\n";
}

void BertConfig::save(const std::filesystem::path& configJson, const std::string& architecture) const {
  writeFileAtomically(configJson, toJson(architecture));
}

std::string BertConfig::modelTypeOf(const std::string& text, const std::string& sourceName) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(sourceName + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw std::runtime_error(sourceName + ": is not a JSON object: not a config.json");
  return j.contains("model_type") && j["model_type"].is_string() ? j["model_type"].get<std::string>() : "";
}

BertConfig BertConfig::fromJson(const std::string& text, const std::string& sourceName) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(sourceName + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw std::runtime_error(sourceName + ": is not a JSON object: not a config.json");
  const std::string type = j.value("model_type", "");
  if (type != "bert")
    throw std::runtime_error(sourceName + ": model_type '" + type +
                             "' is not a BERT encoder (model_type \"bert\"); Llama-family decoders load through LlamaConfig");
  BertConfig c;
  auto get = [&](const char* key, auto& field) {
    if (j.contains(key) && !j[key].is_null()) field = j[key].get<std::decay_t<decltype(field)>>();
  };
  try {
    get("vocab_size", c.vocab_size);
    get("hidden_size", c.hidden_size);
    get("num_hidden_layers", c.num_hidden_layers);
    get("num_attention_heads", c.num_attention_heads);
    get("intermediate_size", c.intermediate_size);
    get("hidden_act", c.hidden_act);
    get("hidden_dropout_prob", c.hidden_dropout_prob);
    get("attention_probs_dropout_prob", c.attention_probs_dropout_prob);
    get("classifier_dropout", c.classifier_dropout);
    get("max_position_embeddings", c.max_position_embeddings);
    get("type_vocab_size", c.type_vocab_size);
    get("layer_norm_eps", c.layer_norm_eps);
    get("pad_token_id", c.pad_token_id);
    get("position_embedding_type", c.position_embedding_type);
    get("tie_word_embeddings", c.tie_word_embeddings);
    get("ftstudio_classifier_pooling", c.classifier_pooling);
    if (j.contains("id2label") && j["id2label"].is_object()) {
      const auto& m = j["id2label"];
      c.id2label.assign(m.size(), "");
      for (auto it = m.begin(); it != m.end(); ++it) {
        size_t idx = 0;
        try {
          idx = std::stoul(it.key());
        } catch (const std::exception&) {
          throw std::runtime_error("id2label key '" + it.key() + "' is not a number");
        }
        if (idx >= c.id2label.size()) throw std::runtime_error("id2label keys must be 0..N-1");
        c.id2label[idx] = it.value().get<std::string>();
      }
    }
    // num_labels alone (no id2label): HF names them LABEL_0, LABEL_1, ...
    if (c.id2label.empty() && j.contains("num_labels") && j["num_labels"].is_number_integer()) {
      const int n = j["num_labels"].get<int>();
      for (int i = 0; i < n; ++i) c.id2label.push_back("LABEL_" + std::to_string(i));
    }
    if (j.contains("num_labels") && j["num_labels"].is_number_integer() &&
        j["num_labels"].get<int>() != static_cast<int>(c.id2label.size()))
      throw std::runtime_error("num_labels (" + std::to_string(j["num_labels"].get<int>()) + ") differs from id2label's " +
                               std::to_string(c.id2label.size()) + " entries");
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(sourceName + ": a field has the wrong type: " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(sourceName + ": " + e.what());
  }
  try {
    c.validate();
  } catch (const std::exception& e) {
    throw std::runtime_error(sourceName + ": " + e.what());
  }
  return c;
}

BertConfig BertConfig::load(const std::filesystem::path& configJson) {
  return fromJson(readWholeFile(configJson), configJson.string());
}

}  // namespace fts
