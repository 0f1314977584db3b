#include "core/export/LlamaGguf.h"

#include "core/io/SafetensorsTypes.h"
#include "core/text/SentencePieceTokenizer.h"

#include <torch/torch.h>

#include <regex>
#include <stdexcept>

namespace fts {

torch::Tensor permuteQkForGguf(const torch::Tensor& w, int64_t heads) {
  if (heads <= 0 || w.dim() < 1 || w.size(0) % (2 * heads) != 0)
    throw std::invalid_argument("q/k permutation: " + std::to_string(w.dim() ? w.size(0) : 0) + " rows are not " +
                                std::to_string(heads) + " heads of an even size");
  const int64_t half = w.size(0) / heads / 2;
  std::vector<int64_t> split = {heads, 2, half};
  for (int64_t d = 1; d < w.dim(); ++d) split.push_back(w.size(d));
  // [H, 2, Dh/2, ...] -> [H, Dh/2, 2, ...]: row (h, j, i) moves to (h, i, j), i.e. HF row j*Dh/2 + i
  // becomes GGUF row 2i + j of its head.
  return w.reshape(split).transpose(1, 2).reshape(w.sizes()).contiguous();
}

torch::Tensor unpermuteQkFromGguf(const torch::Tensor& w, int64_t heads) {
  if (heads <= 0 || w.dim() < 1 || w.size(0) % (2 * heads) != 0)
    throw std::invalid_argument("q/k permutation: " + std::to_string(w.dim() ? w.size(0) : 0) + " rows are not " +
                                std::to_string(heads) + " heads of an even size");
  const int64_t half = w.size(0) / heads / 2;
  std::vector<int64_t> split = {heads, half, 2};
  for (int64_t d = 1; d < w.dim(); ++d) split.push_back(w.size(d));
  return w.reshape(split).transpose(1, 2).reshape(w.sizes()).contiguous();  // [H, Dh/2, 2, ...] -> [H, 2, Dh/2, ...]
}

std::optional<std::string> ggufTensorName(const std::string& hf) {
  if (hf == "model.embed_tokens.weight") return "token_embd.weight";
  if (hf == "model.norm.weight") return "output_norm.weight";
  if (hf == "lm_head.weight") return "output.weight";
  static const std::regex layer(R"(model\.layers\.(\d+)\.(.+)\.(weight|bias))");
  std::smatch m;
  if (!std::regex_match(hf, m, layer)) return std::nullopt;
  static const std::pair<const char*, const char*> parts[] = {
      {"input_layernorm", "attn_norm"},   {"post_attention_layernorm", "ffn_norm"},
      {"self_attn.q_proj", "attn_q"},     {"self_attn.k_proj", "attn_k"},
      {"self_attn.v_proj", "attn_v"},     {"self_attn.o_proj", "attn_output"},
      {"mlp.gate_proj", "ffn_gate"},      {"mlp.up_proj", "ffn_up"},
      {"mlp.down_proj", "ffn_down"},
  };
  for (const auto& [from, to] : parts)
    if (m[2] == from) return "blk." + m[1].str() + "." + to + "." + m[3].str();
  return std::nullopt;
}

GgmlType ggufStorageType(const std::vector<int64_t>& shape, GgmlType wanted) {
  if (shape.size() < 2) return GgmlType::F32;
  if (wanted == GgmlType::Q8_0 && shape.back() % static_cast<int64_t>(kQ8_0BlockValues) != 0) return GgmlType::F16;
  return wanted;
}

uint32_t ggufFileType(GgmlType type) {
  switch (type) {
    case GgmlType::F32: return 0;
    case GgmlType::F16: return 1;
    case GgmlType::Q8_0: return 7;
    case GgmlType::BF16: return 32;
  }
  return 0;
}

namespace {

bool isQ(const std::string& hf) { return hf.find("self_attn.q_proj.") != std::string::npos; }
bool isK(const std::string& hf) { return hf.find("self_attn.k_proj.") != std::string::npos; }

}  // namespace

GgufWriter llamaToGguf(const LlamaForTask& model, const SentencePieceTokenizer& tokenizer, GgmlType type,
                       const std::string& modelName, GgufBuildReport* report) {
  const LlamaConfig& c = model->model->config;
  if (model->kind != HeadKind::CausalLM)
    throw std::invalid_argument("GGUF export is for causal language models: llama.cpp has no sequence-classification head "
                                "(score.weight), so this classifier cannot be written as GGUF; export it with --format hf");
  if (c.model_type != "llama" && c.model_type != "mistral")
    throw std::invalid_argument("GGUF export writes llama.cpp's \"llama\" architecture, which does not describe model_type '" +
                                c.model_type + "' (its rotary layout and biases differ): export it with --format hf");
  // llama.cpp reads rotary scaling from its own keys (and llama3's from rope_freqs.weight), which this
  // writer does not emit yet: a scaled model would load there with the wrong positions.
  if (c.rope_scaling.scaled())
    throw std::invalid_argument("GGUF export of a model with rope_scaling '" + c.rope_scaling.rope_type +
                                "' is not supported yet (llama.cpp would run it with unscaled positions): export it with --format hf");
  if (tokenizer.vocabSize() > c.vocab_size)
    throw std::invalid_argument("the tokenizer has " + std::to_string(tokenizer.vocabSize()) + " pieces but the model only " +
                                std::to_string(c.vocab_size) + " embeddings");

  GgufWriter w;
  // ---- general.* and the hyperparameters llama.cpp reads for architecture "llama" -------------
  w.set("general.architecture", GgufValue::string("llama"));
  w.set("general.name", GgufValue::string(modelName));
  w.set("general.file_type", GgufValue::u32(ggufFileType(type)));
  if (type == GgmlType::Q8_0) w.set("general.quantization_version", GgufValue::u32(2));  // ggml's block layouts, version 2
  w.set("llama.vocab_size", GgufValue::u32(static_cast<uint32_t>(c.vocab_size)));
  w.set("llama.context_length", GgufValue::u32(static_cast<uint32_t>(c.max_position_embeddings)));
  w.set("llama.embedding_length", GgufValue::u32(static_cast<uint32_t>(c.hidden_size)));
  w.set("llama.block_count", GgufValue::u32(static_cast<uint32_t>(c.num_hidden_layers)));
  w.set("llama.feed_forward_length", GgufValue::u32(static_cast<uint32_t>(c.ffnSize())));
  w.set("llama.attention.head_count", GgufValue::u32(static_cast<uint32_t>(c.num_attention_heads)));
  w.set("llama.attention.head_count_kv", GgufValue::u32(static_cast<uint32_t>(c.kvHeads())));
  w.set("llama.attention.layer_norm_rms_epsilon", GgufValue::f32(static_cast<float>(c.rms_norm_eps)));
  w.set("llama.rope.freq_base", GgufValue::f32(static_cast<float>(c.rope_theta)));
  w.set("llama.rope.dimension_count", GgufValue::u32(static_cast<uint32_t>(c.headDim())));

  // ---- SentencePiece vocabulary: pieces, scores, types (1 normal ... 6 byte, as in the .model) --
  const int pieces = tokenizer.vocabSize();
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> types;
  tokens.reserve(static_cast<size_t>(c.vocab_size));
  for (int id = 0; id < pieces; ++id) {
    tokens.push_back(tokenizer.piece(id));
    scores.push_back(tokenizer.score(id));
    types.push_back(tokenizer.tokenType(id));
  }
  // Embedding rows past the tokenizer's pieces (a vocabulary padded to a round size) still need a
  // token each: unused placeholders that never come out of the tokenizer.
  for (int id = pieces; id < c.vocab_size; ++id) {
    tokens.push_back("[PAD" + std::to_string(id) + "]");
    scores.push_back(-1000.0f);
    types.push_back(5);  // unused
  }
  w.set("tokenizer.ggml.model", GgufValue::string("llama"));
  w.set("tokenizer.ggml.tokens", GgufValue::strings(tokens));
  w.set("tokenizer.ggml.scores", GgufValue::f32s(scores));
  w.set("tokenizer.ggml.token_type", GgufValue::i32s(types));
  auto special = [&](const char* key, int id) {
    if (id >= 0 && id < c.vocab_size) w.set(key, GgufValue::u32(static_cast<uint32_t>(id)));
  };
  special("tokenizer.ggml.bos_token_id", tokenizer.bosId() >= 0 ? tokenizer.bosId() : c.bos_token_id);
  special("tokenizer.ggml.eos_token_id", tokenizer.eosId() >= 0 ? tokenizer.eosId() : c.eos_token_id);
  special("tokenizer.ggml.unknown_token_id", tokenizer.unkId());
  special("tokenizer.ggml.padding_token_id", tokenizer.padId() >= 0 ? tokenizer.padId() : c.pad_token_id);
  // Prompts start with BOS and do not end with EOS, as our causal-LM training and HF's LlamaTokenizer do.
  w.set("tokenizer.ggml.add_bos_token", GgufValue::boolean(true));
  w.set("tokenizer.ggml.add_eos_token", GgufValue::boolean(false));

  // ---- Tensors, in llama.cpp's order (embeddings, blocks, output) ----------------------------
  torch::NoGradGuard noGrad;
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (const auto& item : model->named_parameters(/*recurse=*/true)) params.emplace_back(item.key(), item.value());
  int keptF16 = 0;
  for (const auto& [hf, value] : params) {
    const auto name = ggufTensorName(hf);
    if (!name) throw std::invalid_argument("GGUF export: tensor '" + hf + "' has no place in llama.cpp's llama architecture");
    auto t = value.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    if (isQ(hf)) t = permuteQkForGguf(t, c.num_attention_heads);  // [H*Dh, D] or [H*Dh]
    if (isK(hf)) t = permuteQkForGguf(t, c.kvHeads());             // [Hkv*Dh, D] or [Hkv*Dh]
    const std::vector<int64_t> shape = t.sizes().vec();
    const GgmlType stored = ggufStorageType(shape, type);
    if (stored != type && shape.size() >= 2) ++keptF16;
    w.addTensor(*name, shape, std::span<const float>(t.data_ptr<float>(), static_cast<size_t>(t.numel())), stored);
  }
  if (report && keptF16 > 0)
    report->notes.push_back(std::to_string(keptF16) + " matrices kept in F16: their rows are not whole Q8_0 blocks of 32");
  return w;
}

LlamaConfig llamaConfigFromGguf(const GgufReader& r) {
  const std::string arch = r.at("general.architecture").asString();
  if (arch != "llama")
    throw std::runtime_error(r.path().string() + ": general.architecture is '" + arch + "'; only 'llama' is read back here");
  auto u = [&](const char* key) { return static_cast<int>(r.at(key).asUnsigned()); };
  LlamaConfig c;
  c.model_type = "llama";
  c.hidden_size = u("llama.embedding_length");
  c.num_hidden_layers = u("llama.block_count");
  c.intermediate_size = u("llama.feed_forward_length");
  c.num_attention_heads = u("llama.attention.head_count");
  c.num_key_value_heads = r.find("llama.attention.head_count_kv") ? u("llama.attention.head_count_kv") : c.num_attention_heads;
  c.max_position_embeddings = u("llama.context_length");
  c.rms_norm_eps = r.at("llama.attention.layer_norm_rms_epsilon").asFloat();
  c.rope_theta = r.find("llama.rope.freq_base") ? r.at("llama.rope.freq_base").asFloat() : 10000.0;
  const auto& tokens = r.at("tokenizer.ggml.tokens");
  c.vocab_size = r.find("llama.vocab_size") ? u("llama.vocab_size") : static_cast<int>(tokens.items.size());
  if (static_cast<size_t>(c.vocab_size) != tokens.items.size())
    throw std::runtime_error(r.path().string() + ": llama.vocab_size is " + std::to_string(c.vocab_size) + " but tokenizer.ggml.tokens has " +
                             std::to_string(tokens.items.size()) + " tokens");
  if (r.find("tokenizer.ggml.bos_token_id")) c.bos_token_id = u("tokenizer.ggml.bos_token_id");
  if (r.find("tokenizer.ggml.eos_token_id")) c.eos_token_id = u("tokenizer.ggml.eos_token_id");
  if (r.find("tokenizer.ggml.padding_token_id")) c.pad_token_id = u("tokenizer.ggml.padding_token_id");
  c.tie_word_embeddings = r.findTensor("output.weight") == nullptr;  // llama.cpp then uses token_embd
  c.attention_bias = r.findTensor("blk.0.attn_q.bias") != nullptr;
  try {
    c.validate();
  } catch (const std::exception& e) {
    throw std::runtime_error(r.path().string() + ": " + e.what());
  }
  if (r.find("llama.rope.dimension_count") && u("llama.rope.dimension_count") != c.headDim())
    throw std::runtime_error(r.path().string() + ": llama.rope.dimension_count is " + std::to_string(u("llama.rope.dimension_count")) +
                             ", not the head size " + std::to_string(c.headDim()) + ": partial rotary embeddings are not supported");
  return c;
}

void loadLlamaFromGguf(LlamaForTask& model, const GgufReader& r) {
  const LlamaConfig& c = model->model->config;
  torch::NoGradGuard noGrad;
  for (auto& item : model->named_parameters(/*recurse=*/true)) {
    const std::string& hf = item.key();
    const auto name = ggufTensorName(hf);
    const GgufTensorEntry* t = name ? r.findTensor(*name) : nullptr;
    if (!t) throw std::runtime_error(r.path().string() + ": has no tensor for '" + hf + "'" + (name ? " ('" + *name + "')" : ""));
    if (t->info.torchShape() != item.value().sizes().vec())
      throw std::runtime_error(r.path().string() + ": tensor '" + *name + "' has shape " + shapeString(t->info.torchShape()) +
                               " but the model expects " + shapeString(item.value().sizes().vec()));
    std::vector<float> values = r.values(*t);
    auto loaded = torch::from_blob(values.data(), t->info.torchShape(), torch::kFloat32);
    if (isQ(hf)) loaded = unpermuteQkFromGguf(loaded, c.num_attention_heads);
    if (isK(hf)) loaded = unpermuteQkFromGguf(loaded, c.kvHeads());
    item.value().copy_(loaded);
  }
}

}  // namespace fts
