#include "core/model/LlamaConfig.h"

#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace fts {

namespace {

constexpr const char kRopeTypesSupported[] = "default, linear and llama3";

// A rope_scaling / rope_parameters object -> RopeScaling (checked later by validate()). transformers
// reads "rope_type" and falls back to the older "type"; the parameters a type needs must be there, as
// transformers needs them (only llama3's original_max_position_embeddings has a default).
RopeScaling readRopeScaling(const nlohmann::json& o, const std::string& field, const std::string& sourceName) {
  RopeScaling r;
  r.field = field;
  r.sourceJson = o.dump();
  if (o.contains("rope_type") && !o["rope_type"].is_null()) r.rope_type = o["rope_type"].get<std::string>();
  else if (o.contains("type") && !o["type"].is_null()) r.rope_type = o["type"].get<std::string>();
  if (r.rope_type != "default" && r.rope_type != "linear" && r.rope_type != "llama3")
    throw std::runtime_error(sourceName + ": " + field + " type '" + r.rope_type + "' is not supported: Fine-tuning Studio computes the rotary "
                             "scalings " + kRopeTypesSupported + " (as transformers does); dynamic, yarn, longrope and others are not implemented");
  auto need = [&](const char* key, auto& value) {
    if (!o.contains(key) || o[key].is_null())
      throw std::runtime_error(sourceName + ": " + field + " of type '" + r.rope_type + "' has no '" + key + "': add it (transformers needs it too)");
    value = o[key].get<std::decay_t<decltype(value)>>();
  };
  if (r.rope_type == "linear" || r.rope_type == "llama3") need("factor", r.factor);
  if (r.rope_type == "llama3") {
    need("low_freq_factor", r.low_freq_factor);
    need("high_freq_factor", r.high_freq_factor);
    if (o.contains("original_max_position_embeddings") && !o["original_max_position_embeddings"].is_null())
      r.original_max_position_embeddings = o["original_max_position_embeddings"].get<int>();
  }
  return r;
}

// The object toJson writes: the one read, with its type key(s) ("rope_type" when new) and the
// parameters of its type set from `s`; rope_theta inside it in the rope_parameters form.
nlohmann::ordered_json ropeScalingObject(const RopeScaling& s, double ropeTheta) {
  nlohmann::ordered_json o = s.sourceJson.empty() ? nlohmann::ordered_json::object() : nlohmann::ordered_json::parse(s.sourceJson);
  bool named = false;
  for (const char* key : {"rope_type", "type"})
    if (o.contains(key)) {
      o[key] = s.rope_type;
      named = true;
    }
  if (!named) o["rope_type"] = s.rope_type;
  if (s.rope_type == "linear" || s.rope_type == "llama3") o["factor"] = s.factor;
  if (s.rope_type == "llama3") {
    o["low_freq_factor"] = s.low_freq_factor;
    o["high_freq_factor"] = s.high_freq_factor;
    if (s.original_max_position_embeddings > 0) o["original_max_position_embeddings"] = s.original_max_position_embeddings;
  }
  if (s.field == "rope_parameters") o["rope_theta"] = ropeTheta;
  return o;
}

}  // namespace

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
  const RopeScaling& r = rope_scaling;
  need(r.rope_type == "default" || r.rope_type == "linear" || r.rope_type == "llama3",
       "rope_scaling type '" + r.rope_type + "' is not supported (" + kRopeTypesSupported + " are)");
  if (r.scaled()) need(std::isfinite(r.factor) && r.factor > 0, "rope_scaling factor must be positive");
  if (r.rope_type == "llama3") {
    need(r.low_freq_factor > 0, "rope_scaling low_freq_factor must be positive");
    need(r.high_freq_factor > r.low_freq_factor, "rope_scaling high_freq_factor must be larger than low_freq_factor");
    need(r.original_max_position_embeddings >= 0, "rope_scaling original_max_position_embeddings must not be negative");
  }
}

std::vector<double> LlamaConfig::ropeInverseFrequencies() const {
  const int Dh = headDim();
  const RopeScaling& s = rope_scaling;
  // llama3: the context the model was pretrained on sets which wavelengths count as long or short.
  const double original = s.original_max_position_embeddings > 0 ? s.original_max_position_embeddings : max_position_embeddings;
  const double longWavelength = original / s.low_freq_factor;    // longer: divided by factor
  const double shortWavelength = original / s.high_freq_factor;  // shorter: kept
  std::vector<double> inv;
  for (int i = 0; i < Dh; i += 2) {
    const double f = 1.0 / std::pow(rope_theta, static_cast<double>(i) / Dh);
    if (s.rope_type == "linear") {
      inv.push_back(f / s.factor);
    } else if (s.rope_type == "llama3") {
      const double wavelength = 2.0 * M_PI / f;
      if (wavelength < shortWavelength) {
        inv.push_back(f);
      } else if (wavelength > longWavelength) {
        inv.push_back(f / s.factor);
      } else {  // smooth goes from 0 at the long end to 1 at the short end
        const double smooth = (original / wavelength - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
        inv.push_back((1.0 - smooth) * f / s.factor + smooth * f);
      }
    } else {
      inv.push_back(f);
    }
  }
  return inv;
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
  if (rope_scaling.scaled() || !rope_scaling.field.empty())
    j[rope_scaling.field.empty() ? "rope_scaling" : rope_scaling.field] = ropeScalingObject(rope_scaling, rope_theta);
  j["tie_word_embeddings"] = tie_word_embeddings;
  j["attention_bias"] = attention_bias;
  j["attention_dropout"] = attention_dropout;
  j["hidden_act"] = "silu";
  j["bos_token_id"] = bos_token_id;
  if (!eos_token_ids.empty() && eos_token_ids.front() == eos_token_id) j["eos_token_id"] = eos_token_ids;
  else j["eos_token_id"] = eos_token_id;
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
    get("tie_word_embeddings", c.tie_word_embeddings);
    get("attention_bias", c.attention_bias);
    get("attention_dropout", c.attention_dropout);
    get("ftstudio_hidden_dropout", c.hidden_dropout);
    get("bos_token_id", c.bos_token_id);
    if (j.contains("eos_token_id") && j["eos_token_id"].is_array()) {
      c.eos_token_ids = j["eos_token_id"].get<std::vector<int>>();
      if (c.eos_token_ids.empty()) throw std::runtime_error(sourceName + ": eos_token_id is an empty list: give at least one id");
      c.eos_token_id = c.eos_token_ids.front();
    } else {
      get("eos_token_id", c.eos_token_id);
    }
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
    // transformers 4 writes rope_scaling (null when unscaled) beside rope_theta; transformers 5 writes
    // rope_parameters with rope_theta inside (rope_type "default" when unscaled). Both read, as
    // transformers 5 does: a rope_scaling object wins over rope_parameters.
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null()) {
      if (!j["rope_scaling"].is_object()) throw std::runtime_error(sourceName + ": rope_scaling must be an object or null");
      c.rope_scaling = readRopeScaling(j["rope_scaling"], "rope_scaling", sourceName);
    } else if (j.contains("rope_parameters") && j["rope_parameters"].is_object()) {
      const auto& rp = j["rope_parameters"];
      c.rope_scaling = readRopeScaling(rp, "rope_parameters", sourceName);
      if (rp.contains("rope_theta") && !rp["rope_theta"].is_null()) c.rope_theta = rp["rope_theta"].get<double>();
    }
    // Shapes and layers the decoder does not have: said here, not as a tensor of the wrong shape later.
    if (j.contains("head_dim") && !j["head_dim"].is_null() && c.num_attention_heads > 0 && j["head_dim"].get<int>() != c.headDim())
      throw std::runtime_error(sourceName + ": head_dim is " + std::to_string(j["head_dim"].get<int>()) + ", not hidden_size / num_attention_heads (" +
                               std::to_string(c.headDim()) + "): decoders whose heads have another size are not supported");
    if (j.value("mlp_bias", false))
      throw std::runtime_error(sourceName + ": mlp_bias is true: biases on the MLP's projections are not supported");
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
