#include "core/export/Exporter.h"

#include "core/export/GgufReader.h"
#include "core/export/HfExport.h"
#include "core/export/LlamaGguf.h"
#include "core/export/LogitComparison.h"
#include "core/export/StagedFolder.h"
#include "core/io/HfModelFolder.h"
#include "core/io/SafetensorsReader.h"
#include "core/model/LlamaModules.h"
#include "core/runs/RunStore.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/train/Checkpoint.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace fts {
namespace fs = std::filesystem;

std::string_view exportFormatName(ExportFormat f) {
  switch (f) {
    case ExportFormat::HuggingFace: return "hf";
    case ExportFormat::Peft: return "peft";
    case ExportFormat::Merged: return "merged";
    case ExportFormat::Gguf: return "gguf";
  }
  return "?";
}

std::string_view exportDtypeName(ExportDtype d) {
  switch (d) {
    case ExportDtype::F32: return "f32";
    case ExportDtype::F16: return "f16";
    case ExportDtype::BF16: return "bf16";
    case ExportDtype::Q8_0: return "q8_0";
  }
  return "?";
}

std::optional<ExportFormat> exportFormatFromName(std::string_view n) {
  for (auto f : {ExportFormat::HuggingFace, ExportFormat::Peft, ExportFormat::Merged, ExportFormat::Gguf})
    if (exportFormatName(f) == n) return f;
  return std::nullopt;
}

std::optional<ExportDtype> exportDtypeFromName(std::string_view n) {
  for (auto d : {ExportDtype::F32, ExportDtype::F16, ExportDtype::BF16, ExportDtype::Q8_0})
    if (exportDtypeName(d) == n) return d;
  return std::nullopt;
}

uint64_t parseByteSize(std::string_view text) {
  const std::string hint = "'" + std::string(text) + "' is not a size: write a number of bytes, or one with a unit: 500MB, 5GB (powers of 1000), 2GiB (powers of 1024)";
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) throw std::invalid_argument(hint);
  double value;
  try {
    value = std::stod(std::string(text.substr(0, i)));
  } catch (const std::exception&) {
    throw std::invalid_argument(hint);
  }
  std::string unit;
  for (char ch : text.substr(i))
    if (ch != ' ') unit += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  static const std::pair<const char*, double> units[] = {
      {"", 1}, {"B", 1}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
      {"KIB", 1024.0}, {"MIB", 1048576.0}, {"GIB", 1073741824.0}, {"TIB", 1099511627776.0},
  };
  for (const auto& [name, scale] : units)
    if (unit == name) {
      const double bytes = value * scale;
      if (!(bytes >= 1) || bytes > 1.8e19) throw std::invalid_argument(hint);
      return static_cast<uint64_t>(std::llround(bytes));
    }
  throw std::invalid_argument(hint);
}

double exportRelativeTolerance(ExportFormat format, ExportDtype dtype) {
  switch (dtype) {
    case ExportDtype::F32: return format == ExportFormat::Gguf ? 1e-4 : 1e-6;  // GGUF stores eps and rope base as float32
    case ExportDtype::F16: return 2e-2;
    case ExportDtype::BF16: return 1e-1;
    case ExportDtype::Q8_0: return 1.5e-1;
  }
  return 0;
}

namespace {

using json = nlohmann::ordered_json;

struct LoadedModel {
  LlamaForTask model{nullptr};
  std::unique_ptr<SentencePieceTokenizer> tokenizer;
  fs::path runDir;     // empty for a bare model folder
  std::string source;  // what the weights came from
};

bool isHfFolder(const fs::path& f) {
  return fs::is_regular_file(f / "config.json") &&
         (fs::is_regular_file(f / "model.safetensors") || fs::is_regular_file(f / "model.safetensors.index.json"));
}

HeadKind kindOf(const LlamaConfig& c) { return c.id2label.empty() ? HeadKind::CausalLM : HeadKind::SequenceClassification; }

// A run folder (its model/ folder, else its best or newest checkpoint) or a Hugging Face model folder.
LoadedModel loadSource(const fs::path& folder) {
  if (!fs::is_directory(folder)) throw std::runtime_error(folder.string() + ": is not a folder: give a run id, a run folder or a model folder");
  LoadedModel m;
  const bool run = fs::exists(folder / "train_config.json");
  if (run) m.runDir = folder;
  const fs::path hf = isHfFolder(folder / "model") ? folder / "model" : isHfFolder(folder) ? folder : fs::path();
  if (!hf.empty()) {
    const LlamaConfig config = loadHfConfig(hf);
    if (fs::exists(hf / "tokenizer.model")) m.tokenizer = std::make_unique<SentencePieceTokenizer>(loadHfTokenizer(hf, config));
    m.model = LlamaForTask(config, kindOf(config));
    loadHfWeights(m.model, findHfModelFiles(hf));
    m.source = hf.string();
  } else if (run) {
    // Training has not handed over a model/ folder yet (stopped, or still running): its best weights,
    // else its newest checkpoint.
    fs::path ckpt = bestCheckpointDir(folder);
    if (!fs::exists(ckpt / "model.safetensors")) {
      const auto latest = latestCheckpoint(folder);
      if (!latest) throw std::runtime_error(folder.string() + ": the run holds no model yet (no model/ folder and no checkpoint)");
      ckpt = *latest;
    }
    // A LoRA run's checkpoints hold the base and its adapters apart; exporting the base alone would
    // drop what was trained. Its finished model/ folder holds the merged weights.
    const SafetensorsReader weights(ckpt / "model.safetensors");
    for (const auto& e : weights.entries())
      if (e.name.find(".lora_A.") != std::string::npos || e.name.find(".lora_B.") != std::string::npos)
        throw std::invalid_argument(folder.string() + ": this run trains LoRA adapters and has not finished, so it has no merged "
                                    "model yet: export it once it has finished (or been stopped and resumed to the end)");
    const LlamaConfig config = LlamaConfig::load(folder / "config.json");
    m.tokenizer = std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::load(folder / "tokenizer.model"));
    m.model = LlamaForTask(config, kindOf(config));
    loadCheckpoint(ckpt, m.model, nullptr);
    m.source = ckpt.string();
  } else {
    throw std::runtime_error(folder.string() + ": is neither a run folder (train_config.json) nor a model folder "
                             "(config.json with model.safetensors)");
  }
  m.model->eval();
  return m;
}

void stage(const ExportOptions& o, const char* name) {
  if (o.cancel && o.cancel->load()) throw ExportCancelled();
  if (o.progress) o.progress(name);
}

SafetensorsDtype safetensorsDtype(ExportDtype d) {
  switch (d) {
    case ExportDtype::F16: return SafetensorsDtype::F16;
    case ExportDtype::BF16: return SafetensorsDtype::BF16;
    default: return SafetensorsDtype::F32;
  }
}

GgmlType ggmlType(ExportDtype d) {
  switch (d) {
    case ExportDtype::F16: return GgmlType::F16;
    case ExportDtype::BF16: return GgmlType::BF16;
    case ExportDtype::Q8_0: return GgmlType::Q8_0;
    default: return GgmlType::F32;
  }
}

std::string readIfExists(const fs::path& p) { return fs::is_regular_file(p) ? readWholeFile(p) : std::string(); }

json verificationJson(const ExportVerification& v) {
  json j;
  j["samples"] = v.samples;
  j["positions"] = v.positions;
  j["max_abs_diff"] = v.maxAbsDiff;
  j["max_abs_logit"] = v.maxAbsLogit;
  j["argmax_agreement"] = v.argmaxAgreement;
  j["tolerance"] = v.tolerance;
  j["passed"] = v.passed;
  j["reloaded_with"] = v.reloadedWith;
  j["tokenizer"] = v.tokenizerCheck;
  return j;
}

std::string figures(const ExportVerification& v) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "max abs logit difference %.3g (accepted %.3g, largest logit %.3g), argmax agreement %.1f%% over %lld rows",
                v.maxAbsDiff, v.tolerance, v.maxAbsLogit, 100.0 * v.argmaxAgreement, static_cast<long long>(v.positions));
  return buf;
}

// The reloaded HF folder's tokenizer must encode the samples as the original does.
std::string checkHfTokenizer(const fs::path& folder, const LlamaConfig& config, const SentencePieceTokenizer* original,
                             const std::vector<std::string>& texts) {
  if (!original) return "no tokenizer.model (the source folder has none)";
  const SentencePieceTokenizer reloaded = loadHfTokenizer(folder, config);
  if (reloaded.serialized() != original->serialized())
    throw std::runtime_error((folder / "tokenizer.model").string() + ": reads back different from the tokenizer written");
  for (const auto& t : texts)
    if (reloaded.encode(t) != original->encode(t))
      throw std::runtime_error((folder / "tokenizer.model").string() + ": encodes a sample text differently after reloading");
  return "tokenizer.model reloaded: identical bytes, same ids on every sample";
}

std::string checkGgufVocabulary(const GgufReader& r, const SentencePieceTokenizer& tok) {
  const auto& tokens = r.at("tokenizer.ggml.tokens").items;
  const auto& scores = r.at("tokenizer.ggml.scores").items;
  const auto& types = r.at("tokenizer.ggml.token_type").items;
  if (tokens.size() < static_cast<size_t>(tok.vocabSize()) || scores.size() != tokens.size() || types.size() != tokens.size())
    throw std::runtime_error(r.path().string() + ": the vocabulary arrays do not hold one entry per token");
  for (int id = 0; id < tok.vocabSize(); ++id) {
    const size_t i = static_cast<size_t>(id);
    if (tokens[i].asString() != tok.piece(id) || static_cast<float>(scores[i].asFloat()) != tok.score(id) ||
        types[i].asSigned() != tok.tokenType(id))
      throw std::runtime_error(r.path().string() + ": token " + std::to_string(id) + " reads back different from the tokenizer's piece");
  }
  return "GGUF vocabulary read back: " + std::to_string(tok.vocabSize()) + " pieces, scores and token types equal to tokenizer.model";
}

}  // namespace

ExportResult exportModel(const fs::path& sourceFolder, const ExportOptions& o) {
  // ---- What cannot be done, said before anything is loaded or written --------------------------
  if (o.format == ExportFormat::Peft || o.format == ExportFormat::Merged)
    // Extension point: a LoRA run will export adapter_config.json + adapter_model.safetensors (peft)
    // and the base with the adapter folded in (merged) here.
    throw std::invalid_argument(std::string("--format ") + std::string(exportFormatName(o.format)) +
                                " needs a LoRA run (an adapter trained on a frozen base) and is not implemented yet; a run's "
                                "model/ folder holds all its weights (a LoRA run's adapters folded in), so export the whole "
                                "model with --format hf or --format gguf");
  if (o.format == ExportFormat::HuggingFace && o.dtype == ExportDtype::Q8_0)
    throw std::invalid_argument("q8_0 is a GGUF block format with no safetensors equivalent that transformers loads: "
                                "use --format gguf --dtype q8_0, or --format hf with f32, f16 or bf16");
  if (o.out.empty()) throw std::invalid_argument("no output folder given (--out DIR)");

  stage(o, "loading");
  LoadedModel src = loadSource(sourceFolder);
  LlamaForTask& model = src.model;
  const LlamaConfig& config = model->model->config;
  const bool classifier = model->kind == HeadKind::SequenceClassification;
  if (o.format == ExportFormat::Gguf) {
    if (classifier)
      throw std::invalid_argument("GGUF export is for causal language models: llama.cpp has no sequence-classification head "
                                  "(score.weight), so this classifier cannot be written as GGUF; export it with --format hf");
    if (!src.tokenizer)
      throw std::invalid_argument(src.source + ": has no tokenizer.model, and a GGUF file must carry the vocabulary: copy the "
                                  "model's tokenizer.model into the folder");
  }

  // ---- The run's facts for the model card -------------------------------------------------------
  ModelCardInfo card = o.card;
  if (card.task.empty()) card.task = classifier ? "cls" : "lm";
  if (!src.runDir.empty()) {
    if (card.trainConfigJson.empty()) card.trainConfigJson = readIfExists(src.runDir / "train_config.json");
    // Extension point: the robustness report an attack run leaves in its folder.
    if (card.robustnessJson.empty()) card.robustnessJson = readIfExists(src.runDir / "robustness.json");
  }
  if (card.title.empty()) {
    const fs::path named = src.runDir.empty() ? fs::path(src.source) : src.runDir;
    card.title = !card.runName.empty() ? card.runName : named.filename().string();
  }

  // ---- Reference: the model in memory on the sample texts --------------------------------------
  const std::vector<std::string> texts = o.sampleTexts.empty() ? defaultSampleTexts() : o.sampleTexts;
  const SampleInputs inputs = makeSampleInputs(texts, src.tokenizer.get(), config, classifier);
  const std::vector<torch::Tensor> reference = sampleLogits(model, inputs);

  StagedFolder staged(o.out, kExportManifest);
  ExportResult result;
  result.out = staged.target();
  result.source = src.source;
  result.task = card.task;

  // ---- Write -------------------------------------------------------------------------------------
  stage(o, "writing");
  std::string ggufName;
  if (o.format == ExportFormat::HuggingFace) {
    HfSaveOptions save;
    save.maxShardBytes = o.maxShardBytes;
    save.dtype = safetensorsDtype(o.dtype);
    writeHfExportFolder(staged.path(), model, src.tokenizer.get(), save);
  } else {
    ggufName = "model-" + std::string(exportDtypeName(o.dtype)) + ".gguf";
    GgufBuildReport report;
    GgufWriter writer = llamaToGguf(model, *src.tokenizer, ggmlType(o.dtype), card.title, &report);
    writer.write(staged.path() / ggufName);
    result.notes = report.notes;
    // llama.cpp runs every SentencePiece "llama" vocabulary through its BPE-style merge of pieces by
    // score and applies no normalization: a unigram tokenizer.model (the studio's default) can split
    // text differently there than in training. The weights are unaffected: same ids, same logits.
    if (sentencePieceModelType(src.tokenizer->serialized()) != 2)
      result.notes.push_back("the tokenizer is a SentencePiece unigram model; llama.cpp tokenizes SentencePiece vocabularies "
                             "BPE-style, so some texts may be split into other pieces there than in training (the logits for "
                             "the same token ids match). For use in llama.cpp, train with a BPE tokenizer.model");
  }

  // ---- Verify: read back what is on disk into a fresh model, compare logits --------------------
  stage(o, "verifying");
  std::vector<torch::Tensor> reloadedLogits;
  std::string reloadedWith, tokenizerCheck;
  if (o.format == ExportFormat::HuggingFace) {
    const LlamaConfig reloadedConfig = loadHfConfig(staged.path());
    LlamaForTask reloaded(reloadedConfig, kindOf(reloadedConfig));
    loadHfWeights(reloaded, findHfModelFiles(staged.path()));  // BF16/F16 widen to float32
    reloadedLogits = sampleLogits(reloaded, inputs);
    reloadedWith = "config.json and safetensors weights (" + std::string(exportDtypeName(o.dtype)) + ") loaded into a fresh float32 model";
    tokenizerCheck = checkHfTokenizer(staged.path(), reloadedConfig, src.tokenizer.get(), texts);
  } else {
    const GgufReader reader(staged.path() / ggufName);
    const LlamaConfig reloadedConfig = llamaConfigFromGguf(reader);  // from the file's metadata, not ours
    LlamaForTask reloaded(reloadedConfig, HeadKind::CausalLM);
    loadLlamaFromGguf(reloaded, reader);
    reloadedLogits = sampleLogits(reloaded, inputs);
    reloadedWith = "our GGUF reader: metadata to config, tensors dequantized from " + std::string(exportDtypeName(o.dtype)) +
                   " to float32, q/k rows put back in Hugging Face order";
    tokenizerCheck = checkGgufVocabulary(reader, *src.tokenizer);
  }
  ExportVerification v = compareLogits(reference, reloadedLogits, exportRelativeTolerance(o.format, o.dtype));
  v.reloadedWith = reloadedWith;
  v.tokenizerCheck = tokenizerCheck;
  result.verification = v;
  if (!v.passed)
    throw ExportVerificationError("the export was read back and does not match the model (" + figures(v) +
                                      "): nothing was written under " + result.out.string() + ". Please report this as a bug.",
                                  v);

  // ---- Model card and manifest, then the swap ----------------------------------------------------
  stage(o, "finishing");
  int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(staged.path())) files.push_back(e.path().filename().string());
  files.push_back("README.md");
  files.push_back(kExportManifest);
  std::sort(files.begin(), files.end());
  result.files = files;

  ModelCardExport ex;
  ex.format = std::string(exportFormatName(o.format));
  ex.dtype = std::string(exportDtypeName(o.dtype));
  ex.architecture = model->architecture();
  ex.modelConfigJson = config.toJson(model->architecture());
  ex.parameters = parameters;
  ex.labels = config.id2label;
  ex.files = files;
  ex.exportedAt = utcNowIso8601();
  ex.verification = v;
  ex.notes = result.notes;
  writeFileAtomically(staged.path() / "README.md", renderModelCard(card, ex));

  json manifest;
  manifest["tool"] = card.toolVersion.empty() ? "Fine-tuning Studio" : card.toolVersion;
  manifest["format"] = ex.format;
  manifest["dtype"] = ex.dtype;
  manifest["task"] = card.task;
  manifest["architecture"] = ex.architecture;
  if (!card.runId.empty()) manifest["run"] = card.runId;
  manifest["source"] = src.source;
  manifest["exported_at"] = ex.exportedAt;
  manifest["files"] = files;
  manifest["verification"] = verificationJson(v);
  manifest["notes"] = result.notes;
  writeFileAtomically(staged.path() / kExportManifest, manifest.dump(2) + "\n");

  if (!o.referenceLogitsFile.empty()) writeReferenceLogits(o.referenceLogitsFile, inputs, reference, classifier);
  if (o.cancel && o.cancel->load()) throw ExportCancelled();
  staged.commit();
  return result;
}

}  // namespace fts
