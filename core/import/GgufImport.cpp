#include "core/import/GgufImport.h"

#include "core/export/FloatFormats.h"
#include "core/export/GgufReader.h"
#include "core/export/StagedFolder.h"
#include "core/import/GgufTensorData.h"
#include "core/import/GgufTokenizerImport.h"
#include "core/import/LlamaFromGguf.h"
#include "core/io/SafetensorsWriter.h"
#include "core/util/AtomicFile.h"

#include <cstring>
#include <memory>
#include <set>

namespace fs = std::filesystem;

namespace fts {
namespace {

std::string shapeText(const std::vector<int64_t>& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

// The shape every llama tensor must have, from the metadata (PyTorch order); empty for an unknown role.
std::vector<int64_t> expectedShape(const std::string& hf, const GgufLlamaShape& s) {
  const int64_t D = s.hiddenSize, F = s.intermediateSize, V = s.vocabSize, Dh = s.headDim();
  const int64_t q = s.heads * Dh, kv = s.kvHeads * Dh;
  auto ends = [&](const char* suffix) { return hf.size() >= std::strlen(suffix) && hf.compare(hf.size() - std::strlen(suffix), std::string::npos, suffix) == 0; };
  if (hf == "model.embed_tokens.weight" || hf == "lm_head.weight") return {V, D};
  if (hf == "model.norm.weight" || ends("layernorm.weight")) return {D};
  if (ends("q_proj.weight")) return {q, D};
  if (ends("k_proj.weight") || ends("v_proj.weight")) return {kv, D};
  if (ends("o_proj.weight")) return {D, q};
  if (ends("q_proj.bias")) return {q};
  if (ends("k_proj.bias") || ends("v_proj.bias")) return {kv};
  if (ends("o_proj.bias")) return {D};
  if (ends("gate_proj.weight") || ends("up_proj.weight")) return {F, D};
  if (ends("down_proj.weight")) return {D, F};
  return {};
}

int layerOf(const std::string& hf) {
  const std::string prefix = "model.layers.";
  if (hf.rfind(prefix, 0) != 0) return -1;
  return std::stoi(hf.substr(prefix.size()));
}

}  // namespace

GgufImportResult importGguf(const fs::path& file, const fs::path& out, const GgufImportOptions& options) {
  if (options.dtype != SafetensorsDtype::BF16 && options.dtype != SafetensorsDtype::F32)
    throw std::invalid_argument("the importer writes bf16 or f32 weights, not " + std::string(dtypeName(options.dtype)));
  const bool bf16 = options.dtype == SafetensorsDtype::BF16;

  // ---- Read and check everything about the input before writing anything ----------------------
  std::unique_ptr<GgufReader> reader;
  std::unique_ptr<GgufTensorData> data;
  GgufLlamaShape shape;
  GgufTokenizerFiles tokenizer;
  GgufImportResult result;
  struct Planned {
    const GgufTensorEntry* entry;
    std::string hf;
    std::vector<int64_t> shape;
  };
  std::vector<Planned> planned;
  try {
    reader = std::make_unique<GgufReader>(file);
    data = std::make_unique<GgufTensorData>(*reader);
    std::vector<float> ropeFreqs;
    if (const GgufTensorEntry* t = reader->findTensor("rope_freqs.weight")) ropeFreqs = data->values(*t);
    shape = readGgufLlamaShape(*reader, ropeFreqs);
    tokenizer = tokenizerFilesFromGguf(*reader, shape.contextLength);

    std::set<std::string> seen;
    for (const auto& t : reader->tensors()) {
      if (isGgufOnlyTensor(t.info.name)) continue;
      const auto hf = hfTensorNameFromGguf(t.info.name);
      if (!hf)
        throw std::runtime_error(file.string() + ": tensor '" + t.info.name + "' has no place in a Hugging Face Llama model: "
                                 "this is not a plain llama model (an adapter, a vision tower or a variant the importer does not convert)");
      const auto want = expectedShape(*hf, shape);
      const int layer = layerOf(*hf);
      if (layer >= shape.layers)
        throw std::runtime_error(file.string() + ": tensor '" + t.info.name + "' belongs to layer " + std::to_string(layer) +
                                 " but llama.block_count is " + std::to_string(shape.layers));
      if (t.info.torchShape() != want)
        throw std::runtime_error(file.string() + ": tensor '" + t.info.name + "' has shape " + shapeText(t.info.torchShape()) +
                                 " but the metadata makes it " + shapeText(want));
      data->bytes(t);  // the type is one we decode and the data lies inside the file
      ++result.storedTypes[ggmlTypeNumberName(t.rawType)];
      seen.insert(*hf);
      planned.push_back({&t, *hf, t.info.torchShape()});
    }
    // Every tensor the model needs must be there (lm_head only when the embeddings are not tied).
    std::vector<std::string> needed = {"model.embed_tokens.weight", "model.norm.weight"};
    if (!shape.tiedEmbeddings) needed.push_back("lm_head.weight");
    for (int l = 0; l < shape.layers; ++l)
      for (const char* part : {"input_layernorm.weight", "post_attention_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
                               "self_attn.v_proj.weight", "self_attn.o_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight",
                               "mlp.down_proj.weight"})
        needed.push_back("model.layers." + std::to_string(l) + "." + part);
    for (const auto& n : needed)
      if (!seen.count(n)) throw std::runtime_error(file.string() + ": the model has no tensor for '" + n + "': the file is incomplete");
  } catch (const GgufImportInputError&) {
    throw;
  } catch (const std::exception& e) {
    throw GgufImportInputError(e.what());
  }

  // ---- Decode tensor by tensor into the weight buffers, then write the staged folder ----------
  StagedFolder staged(out, "config.json");
  std::vector<std::vector<std::byte>> buffers;
  buffers.reserve(planned.size());
  std::vector<TensorView> views;
  int index = 0;
  auto stopIfCancelled = [&] {
    if (options.cancel && options.cancel->load()) throw GgufImportCancelled();  // `staged` removes its folder
  };
  for (const auto& p : planned) {
    stopIfCancelled();
    ++index;
    if (options.progress) options.progress({index, static_cast<int>(planned.size()), p.entry->info.name, p.hf, ggmlTypeNumberName(p.entry->rawType), p.shape});
    std::vector<float> values;
    try {
      values = data->values(*p.entry);
    } catch (const std::exception& e) {
      throw GgufImportInputError(e.what());
    }
    const int64_t rows = p.shape[0], cols = p.shape.size() > 1 ? p.shape[1] : 1;
    const bool isQ = p.hf.find("self_attn.q_proj.") != std::string::npos, isK = p.hf.find("self_attn.k_proj.") != std::string::npos;
    if (isQ) unpermuteQkRows(values, rows, cols, shape.heads);    // [H*Dh, D] or [H*Dh]
    if (isK) unpermuteQkRows(values, rows, cols, shape.kvHeads);  // [Hkv*Dh, D] or [Hkv*Dh]
    std::vector<std::byte> bytes(values.size() * (bf16 ? 2 : 4));
    if (bf16) {
      for (size_t i = 0; i < values.size(); ++i) {
        const uint16_t b = floatToBf16(values[i]);
        std::memcpy(bytes.data() + 2 * i, &b, 2);
      }
    } else {
      std::memcpy(bytes.data(), values.data(), bytes.size());
    }
    buffers.push_back(std::move(bytes));
    views.push_back({p.hf, options.dtype, p.shape, buffers.back()});
    result.parameters += static_cast<int64_t>(values.size());
  }
  result.tensors = static_cast<int64_t>(views.size());
  stopIfCancelled();

  const fs::path dir = staged.path();
  writeFileAtomically(dir / "config.json", hfLlamaConfigJson(shape, bf16 ? "bfloat16" : "float32"));
  writeFileAtomically(dir / "generation_config.json", hfLlamaGenerationConfigJson(shape));
  writeSafetensors(dir / "model.safetensors", views, {{"format", "pt"}, {"source", "ftstudio import " + file.filename().string()}});
  result.files = {"config.json", "generation_config.json", "model.safetensors"};
  for (const auto& [name, contents] : tokenizer.files) {
    writeFileAtomically(dir / name, contents);
    result.files.push_back(name);
  }
  staged.commit();

  result.out = staged.target();
  result.architecture = "LlamaForCausalLM";
  result.tokenizerKind = tokenizer.kind;
  result.modelName = shape.name;
  result.notes = tokenizer.notes;
  if (!shape.ropeScalingJson.empty()) result.notes.push_back("rope_scaling " + shape.ropeScalingJson);
  return result;
}

}  // namespace fts
