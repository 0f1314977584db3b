#pragma once
// The shape of a Llama-family decoder, with Hugging Face's config.json field names.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fts {

// Scaled rotary embeddings: config.json's rope_scaling (transformers 4) or rope_parameters
// (transformers 5), computed as transformers computes the inverse frequencies. "default": none;
// "linear": every frequency divided by factor (positions stretched factor times); "llama3" (Llama 3.1+):
// wavelengths longer than original / low_freq_factor divided by factor, shorter than
// original / high_freq_factor kept, a smooth blend between. The attention scale stays 1 for all three.
struct RopeScaling {
  std::string rope_type = "default";    // default | linear | llama3 (any other is refused on reading)
  double factor = 1.0;                  // linear, llama3
  double low_freq_factor = 1.0;         // llama3
  double high_freq_factor = 4.0;        // llama3
  int original_max_position_embeddings = 0;  // llama3; 0: max_position_embeddings (transformers 5's default)
  // How config.json held it, so toJson writes it back in the same form: "rope_scaling",
  // "rope_parameters", or "" (absent or null; toJson then writes rope_scaling only when scaled).
  std::string field;
  // The object as read (JSON text, "" when none): its keys ("type" or "rope_type", any others) are kept.
  std::string sourceJson;

  bool scaled() const { return rope_type != "default"; }
};

struct LlamaConfig {
  std::string model_type = "llama";   // llama | mistral | qwen2: same decoder, small differences
  int vocab_size = 8000;
  int hidden_size = 256;
  int intermediate_size = 0;          // 0: Llama's rule, 2/3 * 4 * hidden rounded up to 64
  int num_hidden_layers = 4;
  int num_attention_heads = 4;
  int num_key_value_heads = 0;        // 0: same as num_attention_heads (no grouping)
  int max_position_embeddings = 512;
  double rms_norm_eps = 1e-5;
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  bool tie_word_embeddings = false;
  bool attention_bias = false;        // q/k/v biases, as in Qwen2
  double attention_dropout = 0.0;
  double hidden_dropout = 0.0;        // ours: dropout on residual branches while training
  int bos_token_id = 1;
  int eos_token_id = 2;
  // Llama 3.x instruct folders list several end ids ([128001, 128008, 128009]): eos_token_id is the
  // first, all of them are kept here so toJson writes the list back (empty when config.json had one id).
  std::vector<int> eos_token_ids;
  int pad_token_id = 3;
  // Sequence classification only (LlamaForSequenceClassification).
  std::vector<std::string> id2label;

  int headDim() const { return hidden_size / num_attention_heads; }
  // Llama puts a bias on o_proj too when attention_bias is set; Qwen2 biases q/k/v only.
  bool oProjBias() const { return attention_bias && model_type != "qwen2"; }
  // "LlamaForCausalLM", "Qwen2ForSequenceClassification", ...: headName is "ForCausalLM" or
  // "ForSequenceClassification".
  std::string architecture(const std::string& headName) const;
  int kvHeads() const { return num_key_value_heads > 0 ? num_key_value_heads : num_attention_heads; }
  int ffnSize() const;
  // RoPE's inverse frequencies [headDim()/2] with rope_scaling applied: theta^(-2i/Dh), then scaled.
  std::vector<double> ropeInverseFrequencies() const;
  // Throws std::invalid_argument naming the field when the shape is impossible.
  void validate() const;

  // config.json text; architecture is e.g. "LlamaForCausalLM" (see architecture()).
  std::string toJson(const std::string& architecture) const;
  static LlamaConfig fromJson(const std::string& json, const std::string& sourceName);
  static LlamaConfig load(const std::filesystem::path& configJson);
};

}  // namespace fts
