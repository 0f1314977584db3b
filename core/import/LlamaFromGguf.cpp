#include "core/import/LlamaFromGguf.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <regex>
#include <stdexcept>

namespace fts {
namespace {

using json = nlohmann::ordered_json;

[[noreturn]] void fail(const GgufReader& r, const std::string& what) { throw std::runtime_error(r.path().string() + ": " + what); }

int positive(const GgufReader& r, const std::string& key) {
  const GgufValue* v = r.find(key);
  if (!v) fail(r, "has no metadata '" + key + "', which a llama model needs");
  uint64_t n = 0;
  try {
    n = v->asUnsigned();
  } catch (const std::exception& e) {
    fail(r, "metadata '" + key + "': " + e.what());
  }
  if (n == 0 || n > (1u << 30)) fail(r, "metadata '" + key + "' is " + std::to_string(n) + ", not a usable size");
  return static_cast<int>(n);
}

double number(const GgufReader& r, const std::string& key, double fallback) {
  const GgufValue* v = r.find(key);
  if (!v) return fallback;
  try {
    return v->asFloat();
  } catch (const std::exception& e) {
    fail(r, "metadata '" + key + "': " + e.what());
  }
}

int optionalId(const GgufReader& r, const std::string& key, int vocab) {
  const GgufValue* v = r.find(key);
  if (!v) return -1;
  const int64_t id = v->asSigned();
  if (id < 0 || id >= vocab) fail(r, "metadata '" + key + "' is " + std::to_string(id) + ", outside the vocabulary of " + std::to_string(vocab));
  return static_cast<int>(id);
}

// HF's llama3 rotary scaling (transformers' _compute_llama3_parameters) as the per-frequency divisors
// llama.cpp's converter stores in rope_freqs.weight: 1 for short wavelengths, `factor` for long ones,
// a smooth blend between.
std::vector<double> llama3RopeDivisors(int headDim, double theta, double factor, double low, double high, double original) {
  std::vector<double> out;
  const double lowWavelen = original / low, highWavelen = original / high;
  for (int i = 0; i < headDim; i += 2) {
    const double freq = 1.0 / std::pow(theta, static_cast<double>(i) / headDim);
    const double wavelen = 2.0 * M_PI / freq;
    if (wavelen < highWavelen) out.push_back(1.0);
    else if (wavelen > lowWavelen) out.push_back(factor);
    else {
      const double smooth = (original / wavelen - low) / (high - low);
      out.push_back(1.0 / ((1.0 - smooth) / factor + smooth));
    }
  }
  return out;
}

// rope_freqs.weight holds divisors, not the parameters that made them: find the Llama 3.x parameters
// (factor = the largest divisor; low 1, high 4 and the original context of 8192, as every Llama 3.1-3.3
// ships) and keep them only when they reproduce every divisor.
std::string llama3RopeScaling(const GgufReader& r, std::span<const float> divisors, int headDim, double theta) {
  if (divisors.size() != static_cast<size_t>(headDim / 2))
    fail(r, "rope_freqs.weight has " + std::to_string(divisors.size()) + " values, not one per rotary frequency (" + std::to_string(headDim / 2) + ")");
  double factor = 1.0;
  for (float d : divisors) factor = std::max(factor, static_cast<double>(d));
  const auto expected = llama3RopeDivisors(headDim, theta, factor, 1.0, 4.0, 8192.0);
  for (size_t i = 0; i < expected.size(); ++i)
    if (std::abs(expected[i] - divisors[i]) > 1e-3 * expected[i])
      fail(r, "rope_freqs.weight is not the llama3 rotary scaling of a Llama 3.x model (frequency " + std::to_string(i) + ": " +
                  std::to_string(divisors[i]) + ", expected " + std::to_string(expected[i]) + "): this rotary scaling cannot be written as HF's rope_scaling");
  json j;
  j["rope_type"] = "llama3";
  j["factor"] = factor;
  j["low_freq_factor"] = 1.0;
  j["high_freq_factor"] = 4.0;
  j["original_max_position_embeddings"] = 8192;
  return j.dump();
}

}  // namespace

GgufLlamaShape readGgufLlamaShape(const GgufReader& r, std::span<const float> ropeFreqs) {
  const GgufValue* archValue = r.find("general.architecture");
  if (!archValue) fail(r, "has no metadata 'general.architecture': it does not say what model it holds");
  const std::string arch = archValue->asString();
  if (arch != "llama")
    fail(r, "general.architecture is '" + arch + "', which the importer does not convert: it reads architecture 'llama' "
            "(Llama, SmolLM, Mistral-style decoders); '" + arch + "' has other tensors or rotary embeddings");
  GgufLlamaShape s;
  s.hiddenSize = positive(r, "llama.embedding_length");
  s.layers = positive(r, "llama.block_count");
  s.intermediateSize = positive(r, "llama.feed_forward_length");
  s.heads = positive(r, "llama.attention.head_count");
  s.kvHeads = r.find("llama.attention.head_count_kv") ? positive(r, "llama.attention.head_count_kv") : s.heads;
  s.contextLength = positive(r, "llama.context_length");
  s.rmsEps = number(r, "llama.attention.layer_norm_rms_epsilon", 1e-5);
  s.ropeTheta = number(r, "llama.rope.freq_base", 10000.0);
  if (s.hiddenSize % s.heads != 0 || s.headDim() % 2 != 0)
    fail(r, "llama.embedding_length " + std::to_string(s.hiddenSize) + " is not llama.attention.head_count " + std::to_string(s.heads) +
            " heads of an even size");
  if (s.heads % s.kvHeads != 0)
    fail(r, "llama.attention.head_count " + std::to_string(s.heads) + " is not a multiple of head_count_kv " + std::to_string(s.kvHeads));
  for (const char* key : {"llama.rope.dimension_count", "llama.attention.key_length", "llama.attention.value_length"})
    if (r.find(key) && positive(r, key) != s.headDim())
      fail(r, std::string(key) + " is " + std::to_string(positive(r, key)) + ", not the head size " + std::to_string(s.headDim()) +
              ": heads of another size than hidden / heads (or partial rotary embeddings) are not supported");
  const GgufValue* tokens = r.find("tokenizer.ggml.tokens");
  if (!tokens || !tokens->isArray()) fail(r, "has no 'tokenizer.ggml.tokens' array: the importer needs the vocabulary");
  s.vocabSize = r.find("llama.vocab_size") ? positive(r, "llama.vocab_size") : static_cast<int>(tokens->items.size());
  if (static_cast<size_t>(s.vocabSize) != tokens->items.size())
    fail(r, "llama.vocab_size is " + std::to_string(s.vocabSize) + " but tokenizer.ggml.tokens has " + std::to_string(tokens->items.size()) + " tokens");
  s.bosId = optionalId(r, "tokenizer.ggml.bos_token_id", s.vocabSize);
  s.eosId = optionalId(r, "tokenizer.ggml.eos_token_id", s.vocabSize);
  s.padId = optionalId(r, "tokenizer.ggml.padding_token_id", s.vocabSize);
  if (const GgufValue* n = r.find("general.name"); n && n->type == GgufType::STRING) s.name = n->asString();
  s.tiedEmbeddings = r.findTensor("output.weight") == nullptr;
  s.attentionBias = r.findTensor("blk.0.attn_q.bias") != nullptr;

  const std::string scaling = r.find("llama.rope.scaling.type") ? r.at("llama.rope.scaling.type").asString() : "none";
  const double factor = number(r, "llama.rope.scaling.factor", 1.0);
  if (scaling == "linear" && factor != 1.0) {
    s.ropeScalingJson = json{{"rope_type", "linear"}, {"factor", factor}}.dump();
  } else if (scaling == "yarn") {
    // Said before anything is decoded: the folder would convert, but the studio's decoder (linear and
    // llama3 scalings) could not load it.
    fail(r, "llama.rope.scaling.type is 'yarn', which the studio's decoder does not compute (it computes linear and llama3 "
            "rotary scalings): this model cannot be imported");
  } else if (scaling != "none" && scaling != "linear") {
    fail(r, "llama.rope.scaling.type is '" + scaling + "', a rotary scaling HF's Llama has no equivalent for here (linear and llama3 are converted)");
  }
  if (!ropeFreqs.empty()) {
    if (!s.ropeScalingJson.empty()) fail(r, "has both llama.rope.scaling.type '" + scaling + "' and rope_freqs.weight: which one applies is unclear");
    s.ropeScalingJson = llama3RopeScaling(r, ropeFreqs, s.headDim(), s.ropeTheta);
  }
  return s;
}

std::string hfLlamaConfigJson(const GgufLlamaShape& s, const std::string& dtype) {
  json j;
  j["architectures"] = {"LlamaForCausalLM"};
  j["model_type"] = "llama";
  j["vocab_size"] = s.vocabSize;
  j["hidden_size"] = s.hiddenSize;
  j["intermediate_size"] = s.intermediateSize;
  j["num_hidden_layers"] = s.layers;
  j["num_attention_heads"] = s.heads;
  j["num_key_value_heads"] = s.kvHeads;
  j["head_dim"] = s.headDim();
  j["max_position_embeddings"] = s.contextLength;
  j["rms_norm_eps"] = s.rmsEps;
  j["rope_theta"] = s.ropeTheta;
  j["rope_scaling"] = s.ropeScalingJson.empty() ? json(nullptr) : json::parse(s.ropeScalingJson);
  j["tie_word_embeddings"] = s.tiedEmbeddings;
  j["attention_bias"] = s.attentionBias;
  j["mlp_bias"] = false;
  j["attention_dropout"] = 0.0;
  j["hidden_act"] = "silu";
  j["initializer_range"] = 0.02;
  if (s.bosId >= 0) j["bos_token_id"] = s.bosId;
  if (s.eosId >= 0) j["eos_token_id"] = s.eosId;
  if (s.padId >= 0) j["pad_token_id"] = s.padId;
  j["torch_dtype"] = dtype;
  j["use_cache"] = true;
  return j.dump(2) + "\n";
}

std::string hfLlamaGenerationConfigJson(const GgufLlamaShape& s) {
  json j;
  j["_from_model_config"] = true;
  if (s.bosId >= 0) j["bos_token_id"] = s.bosId;
  if (s.eosId >= 0) j["eos_token_id"] = s.eosId;
  if (s.padId >= 0) j["pad_token_id"] = s.padId;
  return j.dump(2) + "\n";
}

std::optional<std::string> hfTensorNameFromGguf(const std::string& g) {
  if (g == "token_embd.weight") return "model.embed_tokens.weight";
  if (g == "output_norm.weight") return "model.norm.weight";
  if (g == "output.weight") return "lm_head.weight";
  static const std::regex layer(R"(blk\.(\d+)\.([a-z_]+)\.(weight|bias))");
  std::smatch m;
  if (!std::regex_match(g, m, layer)) return std::nullopt;
  static const std::pair<const char*, const char*> parts[] = {
      {"attn_norm", "input_layernorm"},   {"ffn_norm", "post_attention_layernorm"},
      {"attn_q", "self_attn.q_proj"},     {"attn_k", "self_attn.k_proj"},
      {"attn_v", "self_attn.v_proj"},     {"attn_output", "self_attn.o_proj"},
      {"ffn_gate", "mlp.gate_proj"},      {"ffn_up", "mlp.up_proj"},
      {"ffn_down", "mlp.down_proj"},
  };
  for (const auto& [from, to] : parts)
    if (m[2] == from) return "model.layers." + m[1].str() + "." + to + "." + m[3].str();
  return std::nullopt;
}

bool isGgufOnlyTensor(const std::string& g) { return g == "rope_freqs.weight"; }

void unpermuteQkRows(std::span<float> values, int64_t rows, int64_t cols, int64_t heads) {
  if (heads <= 0 || rows % (2 * heads) != 0 || static_cast<int64_t>(values.size()) != rows * cols)
    throw std::invalid_argument("q/k rows: " + std::to_string(rows) + " rows are not " + std::to_string(heads) + " heads of an even size");
  const int64_t headDim = rows / heads, half = headDim / 2;
  std::vector<float> head(static_cast<size_t>(headDim * cols));
  for (int64_t h = 0; h < heads; ++h) {
    float* base = values.data() + h * headDim * cols;
    std::copy(base, base + headDim * cols, head.begin());
    // GGUF row 2i + j of the head goes back to HF row j * Dh/2 + i.
    for (int64_t i = 0; i < half; ++i)
      for (int64_t j = 0; j < 2; ++j)
        std::copy_n(head.begin() + (2 * i + j) * cols, cols, base + (j * half + i) * cols);
  }
}

}  // namespace fts
