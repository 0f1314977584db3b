#pragma once
// The shape of a Llama-family decoder, with Hugging Face's config.json field names.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fts {

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
  bool tie_word_embeddings = false;
  bool attention_bias = false;        // q/k/v biases, as in Qwen2
  double attention_dropout = 0.0;
  double hidden_dropout = 0.0;        // ours: dropout on residual branches while training
  int bos_token_id = 1;
  int eos_token_id = 2;
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
  // Throws std::invalid_argument naming the field when the shape is impossible.
  void validate() const;

  // config.json text; architecture is e.g. "LlamaForCausalLM" (see architecture()).
  std::string toJson(const std::string& architecture) const;
  static LlamaConfig fromJson(const std::string& json, const std::string& sourceName);
  static LlamaConfig load(const std::filesystem::path& configJson);
};

}  // namespace fts
