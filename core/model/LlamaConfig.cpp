#include "core/model/LlamaConfig.h"

#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace fts {

std::string LlamaConfig::architecture(const std::string& headName) const {
  if (model_type == "qwen2") return "Qwen2" + headName;
  if (model_type == "mistral") return "Mistral" + headName;
  return "Llama" + headName;
}

int LlamaConfig::ffnSize() const {
  if (intermediate_size > 0) return intermediate_size;
  const int ff = 2 * 4 * hidden_size / 3;
  return 64 * ((ff + 63) / 64);
}

void LlamaConfig::validate() const {
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
  need(headDim() % 2 == 0, "head dimension (hidden_size / num_attention_heads) must be even for RoPE");
  need(num_attention_heads % kvHeads() == 0, "num_attention_heads must be a multiple of num_key_value_heads");
  need(max_position_embeddings > 0, "max_position_embeddings must be positive");
  need(rope_theta > 0, "rope_theta must be positive");
}

std::string LlamaConfig::toJson(const std::string& architecture) const {
  nlohmann::ordered_json j;
  j["architectures"] = {architecture};
  j["model_type"] = model_type;
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["intermediate_size"] = ffnSize();
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["num_key_value_heads"] = kvHeads();
  j["max_position_embeddings"] = max_position_embeddings;
  j["rms_norm_eps"] = rms_norm_eps;
  j["rope_theta"] = rope_theta;
  j["tie_word_embeddings"] = tie_word_embeddings;
  j["attention_bias"] = attention_bias;
  j["attention_dropout"] = attention_dropout;
  j["hidden_act"] = "silu";
  j["bos_token_id"] = bos_token_id;
  j["eos_token_id"] = eos_token_id;
  j["pad_token_id"] = pad_token_id;
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
  j["ftstudio_hidden_dropout"] = hidden_dropout;
  return j.dump(2) + "\n";
}

LlamaConfig LlamaConfig::fromJson(const std::string& text, const std::string& sourceName) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(sourceName + ": not valid JSON: " + e.what());
  }
  const std::string type = j.value("model_type", "");
  if (!type.empty() && type != "llama" && type != "qwen2" && type != "mistral")
    throw std::runtime_error(sourceName + ": model_type '" + type +
                             "' is not supported: Fine-tuning Studio loads Llama-family decoders (llama, qwen2, mistral)");
  LlamaConfig c;
  if (!type.empty()) c.model_type = type;
  auto get = [&](const char* key, auto& field) {
    if (j.contains(key) && !j[key].is_null()) field = j[key].get<std::decay_t<decltype(field)>>();
  };
  try {
    get("vocab_size", c.vocab_size);
    get("hidden_size", c.hidden_size);
    get("intermediate_size", c.intermediate_size);
    get("num_hidden_layers", c.num_hidden_layers);
    get("num_attention_heads", c.num_attention_heads);
    get("num_key_value_heads", c.num_key_value_heads);
    get("max_position_embeddings", c.max_position_embeddings);
    get("rms_norm_eps", c.rms_norm_eps);
    get("rope_theta", c.rope_theta);
    // transformers 5 writes rope_theta inside rope_parameters (rope_type "default" when unscaled).
    if (j.contains("rope_parameters") && j["rope_parameters"].is_object()) {
      const auto& rp = j["rope_parameters"];
      const std::string ropeType = rp.value("rope_type", "default");
      if (ropeType != "default")
        throw std::runtime_error("rope_parameters.rope_type '" + ropeType + "' (scaled rotary embeddings) is not supported yet");
      if (rp.contains("rope_theta")) c.rope_theta = rp["rope_theta"].get<double>();
    }
    get("tie_word_embeddings", c.tie_word_embeddings);
    get("attention_bias", c.attention_bias);
    get("attention_dropout", c.attention_dropout);
    get("ftstudio_hidden_dropout", c.hidden_dropout);
    get("bos_token_id", c.bos_token_id);
    get("eos_token_id", c.eos_token_id);
    get("pad_token_id", c.pad_token_id);
    if (type == "qwen2" && !j.contains("attention_bias")) c.attention_bias = true;
    if (j.contains("id2label") && j["id2label"].is_object()) {
      const auto& m = j["id2label"];
      c.id2label.assign(m.size(), "");
      for (auto it = m.begin(); it != m.end(); ++it) {
        const size_t idx = std::stoul(it.key());
        if (idx >= c.id2label.size()) throw std::runtime_error("id2label keys must be 0..N-1");
        c.id2label[idx] = it.value().get<std::string>();
      }
    }
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
      throw std::runtime_error("rope_scaling is not supported yet: remove it or use a model without it");
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(sourceName + ": a field has the wrong type: " + e.what());
  }
  try {
    c.validate();
  } catch (const std::exception& e) {
    throw std::runtime_error(sourceName + ": " + e.what());
  }
  return c;
}

LlamaConfig LlamaConfig::load(const std::filesystem::path& configJson) {
  return fromJson(readWholeFile(configJson), configJson.string());
}

}  // namespace fts
