#include "core/export/Exporter.h"

#include "core/export/EncoderExport.h"
#include "core/export/ExportSource.h"
#include "core/export/ExportSteps.h"
#include "core/export/GgufReader.h"
#include "core/export/HfExport.h"
#include "core/export/LlamaGguf.h"
#include "core/export/LogitComparison.h"
#include "core/export/LoraExport.h"
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
    case ExportDtype::F32:
      if (format == ExportFormat::Gguf) return 1e-4;  // GGUF stores eps and rope base as float32
      // merged: W + scale * B A rounded once into W, against the adapters computed apart; peft: the
      // same arithmetic as the run's model unless the base folder's stored dtype rounds differently.
      if (format == ExportFormat::Merged || format == ExportFormat::Peft) return 1e-5;
      return 1e-6;
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
  std::unique_ptr<Tokenizer> tokenizer;
  fs::path runDir;     // empty for a bare model folder
  std::string source;  // what the weights came from
  std::string note;    // how they were obtained, when the user should know
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
    if (!findTokenizerFile(hf).empty()) m.tokenizer = loadHfTokenizer(hf, config.vocab_size);
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
    // drop what was trained: fold the adapters in, as the hand-over at the end of training does.
    const SafetensorsReader weights(ckpt / "model.safetensors");
    for (const auto& e : weights.entries())
      if (e.name.find(".lora_A.") != std::string::npos || e.name.find(".lora_B.") != std::string::npos) {
        LoraRunModel lora = loadLoraRun(folder);
        mergeLora(lora.model);
        m.model = lora.model;
        m.tokenizer = std::move(lora.tokenizer);
        m.source = lora.checkpoint.string();
        m.note = lora.note + ", merged into the base weights for this export";
        return m;
      }
    const LlamaConfig config = LlamaConfig::load(folder / "config.json");
    m.tokenizer = loadTokenizer(folder);
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

GgmlType ggmlType(ExportDtype d) {
  switch (d) {
    case ExportDtype::F16: return GgmlType::F16;
    case ExportDtype::BF16: return GgmlType::BF16;
    case ExportDtype::Q8_0: return GgmlType::Q8_0;
    default: return GgmlType::F32;
  }
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
  if (const std::string why = exportDtypeUnavailable(o.format, o.dtype); !why.empty()) throw std::invalid_argument(why);
  if (o.out.empty()) throw std::invalid_argument("no output folder given (--out DIR)");
  const ExportSourceInfo info = inspectExportSource(sourceFolder);
  if (const std::string why = exportFormatUnavailable(info, o.format); !why.empty()) throw std::invalid_argument(why);
  if (info.modelType == "bert") return exportEncoder(sourceFolder, info, o);  // BERT encoders: core/export/EncoderExport.h
  const bool adapterFormat = o.format == ExportFormat::Peft || o.format == ExportFormat::Merged;

  exportStage(o, "loading");
  // peft and merged start from the run's model with its adapters apart (the reference for both);
  // hf and gguf from the model it handed over.
  LoadedModel src;
  fs::path adapterBase;
  if (adapterFormat) {
    LoraRunModel lora = loadLoraRun(sourceFolder);
    src.model = lora.model;
    src.tokenizer = std::move(lora.tokenizer);
    src.runDir = sourceFolder;
    src.source = lora.checkpoint.string();
    src.note = lora.note;
    if (!lora.baseModel.empty()) adapterBase = fs::absolute(lora.baseModel).lexically_normal();
  } else {
    src = loadSource(sourceFolder);
  }
  LlamaForTask& model = src.model;
  const LlamaConfig config = model->model->config;
  const bool classifier = model->kind == HeadKind::SequenceClassification;
  if (o.format == ExportFormat::Gguf && !src.tokenizer)
    throw std::invalid_argument(src.source + ": has no tokenizer.model, and a GGUF file must carry the vocabulary: copy the "
                                "model's tokenizer.model into the folder");
  const auto* spmTokenizer = dynamic_cast<const SentencePieceTokenizer*>(src.tokenizer.get());
  if (o.format == ExportFormat::Gguf && !spmTokenizer)
    throw std::invalid_argument(src.source + ": GGUF export of a " + tokenizerKindName(src.tokenizer->kind()) +
                                " vocabulary (tokenizer.json) is not supported yet: export --format hf instead");

  // ---- The run's facts for the model card -------------------------------------------------------
  ModelCardInfo card = o.card;
  if (card.task.empty()) card.task = classifier ? "cls" : "lm";
  if (!src.runDir.empty()) {
    if (card.trainConfigJson.empty()) card.trainConfigJson = readIfExists(src.runDir / "train_config.json");
    // Extension point: the robustness report an attack run leaves in its folder (robustness.json).
    if (card.robustnessJson.empty()) card.robustnessJson = readIfExists(src.runDir / "robustness.json");
    if (card.method.empty()) card.method = info.method;
    if (card.baseModel.empty()) card.baseModel = info.baseModel;
    if (card.datasetFingerprint.empty()) card.datasetFingerprint = info.dataFingerprint;
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
  if (!src.note.empty()) result.notes.push_back(src.note);

  // ---- Write -------------------------------------------------------------------------------------
  exportStage(o, "writing");
  std::string ggufName;
  if (o.format == ExportFormat::HuggingFace || o.format == ExportFormat::Merged) {
    if (o.format == ExportFormat::Merged) mergeLora(model);  // W += (alpha / r) B A; the reference was taken unmerged
    HfSaveOptions save;
    save.maxShardBytes = o.maxShardBytes;
    save.dtype = safetensorsDtypeOf(o.dtype);
    writeHfExportFolder(staged.path(), model, src.tokenizer.get(), save);
  } else if (o.format == ExportFormat::Peft) {
    writePeftAdapter(staged.path(), model, adapterBase.string(), safetensorsDtypeOf(o.dtype));
    // The run's tokenizer (the base's) beside the adapter, configured as for the HF export: a
    // classifier's tokenizer appends the EOS its head pools.
    if (src.tokenizer) {
      src.tokenizer->saveFiles(staged.path());
      writeSentencePieceConfigs(staged.path(), config, src.tokenizer.get(), classifier);
    }
  } else {
    ggufName = "model-" + std::string(exportDtypeName(o.dtype)) + ".gguf";
    GgufBuildReport report;
    GgufWriter writer = llamaToGguf(model, *spmTokenizer, ggmlType(o.dtype), card.title, &report);
    writer.write(staged.path() / ggufName);
    result.notes.insert(result.notes.end(), report.notes.begin(), report.notes.end());
    // llama.cpp runs every SentencePiece "llama" vocabulary through its BPE-style merge of pieces by
    // score and applies no normalization: a unigram tokenizer.model (the studio's default) can split
    // text differently there than in training. The weights are unaffected: same ids, same logits.
    if (sentencePieceModelType(spmTokenizer->serialized()) != 2)
      result.notes.push_back("the tokenizer is a SentencePiece unigram model; llama.cpp tokenizes SentencePiece vocabularies "
                             "BPE-style, so some texts may be split into other pieces there than in training (the logits for "
                             "the same token ids match). For use in llama.cpp, train with a BPE tokenizer.model");
  }

  // ---- Verify: read back what is on disk into a fresh model, compare logits --------------------
  exportStage(o, "verifying");
  std::vector<torch::Tensor> reloadedLogits;
  std::string reloadedWith, tokenizerCheck;
  const std::string dtype(exportDtypeName(o.dtype));
  if (o.format == ExportFormat::HuggingFace || o.format == ExportFormat::Merged) {
    const LlamaConfig reloadedConfig = loadHfConfig(staged.path());
    LlamaForTask reloaded(reloadedConfig, kindOf(reloadedConfig));
    loadHfWeights(reloaded, findHfModelFiles(staged.path()));  // BF16/F16 widen to float32
    reloadedLogits = sampleLogits(reloaded, inputs);
    reloadedWith = o.format == ExportFormat::Merged
                       ? "the merged folder's config.json and safetensors weights (" + dtype +
                             ") loaded into a fresh float32 model without adapters, compared with the run's model computing its "
                             "adapters apart"
                       : "config.json and safetensors weights (" + dtype + ") loaded into a fresh float32 model";
    tokenizerCheck = checkReloadedTokenizer(staged.path(), reloadedConfig.vocab_size, src.tokenizer.get(), texts);
  } else if (o.format == ExportFormat::Peft) {
    // As a user of peft does: the base model from its own folder, the adapter from the export.
    LlamaConfig baseConfig = loadHfConfig(adapterBase);
    baseConfig.id2label = config.id2label;          // the classifier head the adapter brings (modules_to_save)
    baseConfig.pad_token_id = config.pad_token_id;  // and the pad id its pooling skips, as training set it
    LlamaForTask reloaded(baseConfig, kindOf(baseConfig));
    HfLoadOptions lo;
    lo.allowMissingHead = classifier;  // a causal-LM base has no score.weight: the adapter file holds it
    loadHfWeights(reloaded, findHfModelFiles(adapterBase), lo);
    loadPeftAdapter(reloaded, staged.path());
    reloadedLogits = sampleLogits(reloaded, inputs);
    reloadedWith = "the base model " + adapterBase.string() + " loaded fresh from its folder, then adapter_config.json and " +
                   kPeftWeightsFile + " (" + dtype + ") attached as peft does (lora_alpha / r times B A on the listed modules" +
                   (classifier ? ", score from modules_to_save)" : ")");
    tokenizerCheck = src.tokenizer ? checkReloadedTokenizer(staged.path(), baseConfig.vocab_size, src.tokenizer.get(), texts) : "no tokenizer.model";
  } else {
    const GgufReader reader(staged.path() / ggufName);
    const LlamaConfig reloadedConfig = llamaConfigFromGguf(reader);  // from the file's metadata, not ours
    LlamaForTask reloaded(reloadedConfig, HeadKind::CausalLM);
    loadLlamaFromGguf(reloaded, reader);
    reloadedLogits = sampleLogits(reloaded, inputs);
    reloadedWith = "our GGUF reader: metadata to config, tensors dequantized from " + dtype +
                   " to float32, q/k rows put back in Hugging Face order";
    tokenizerCheck = checkGgufVocabulary(reader, *spmTokenizer);
  }
  ExportVerification v = compareLogits(reference, reloadedLogits, exportRelativeTolerance(o.format, o.dtype));
  v.reloadedWith = reloadedWith;
  v.tokenizerCheck = tokenizerCheck;
  result.verification = v;
  if (!v.passed) {
    // An adapter is only as good as the base it is loaded onto: a changed base folder is the likely cause.
    const std::string cause = o.format == ExportFormat::Peft
                                  ? "the base model folder " + adapterBase.string() + " has probably changed since the run trained on it " +
                                        "(its weights are not the ones in the run's checkpoint); export --format merged instead"
                                  : "Please report this as a bug.";
    throw ExportVerificationError("the export was read back and does not match the model (" + verificationFigures(v) + "): nothing was written under " +
                                      result.out.string() + ". " + cause,
                                  v);
  }

  // ---- Model card and manifest, then the swap ----------------------------------------------------
  exportStage(o, "finishing");
  int64_t parameters = 0;
  for (const auto& p : model->named_parameters()) {
    const bool adapter = p.key().find(".lora_A.") != std::string::npos || p.key().find(".lora_B.") != std::string::npos;
    // A peft export counts what it holds (the adapters, and a classifier's head); the others the whole model.
    if (o.format == ExportFormat::Peft ? adapter || p.key() == "score.weight" : !adapter) parameters += p.value().numel();
  }
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(staged.path())) files.push_back(e.path().filename().string());
  files.push_back("README.md");
  files.push_back(kExportManifest);
  std::sort(files.begin(), files.end());
  result.files = files;

  ModelCardExport ex;
  ex.format = std::string(exportFormatName(o.format));
  ex.dtype = dtype;
  ex.architecture = model->architecture();
  ex.modelConfigJson = config.toJson(model->architecture());
  ex.parameters = parameters;
  ex.labels = config.id2label;
  ex.files = files;
  ex.exportedAt = utcNowIso8601();
  ex.verification = v;
  ex.notes = result.notes;
  if (adapterFormat) {
    ex.lora = info.method;
    ex.adapterBase = adapterBase.string();
    ex.padTokenId = config.pad_token_id;
  }
  writeFileAtomically(staged.path() / "README.md", renderModelCard(card, ex));

  json manifest;
  manifest["tool"] = card.toolVersion.empty() ? "Fine-tuning Studio" : card.toolVersion;
  manifest["format"] = ex.format;
  manifest["dtype"] = ex.dtype;
  manifest["task"] = card.task;
  manifest["architecture"] = ex.architecture;
  if (!card.runId.empty()) manifest["run"] = card.runId;
  manifest["source"] = src.source;
  if (adapterFormat) {
    const LoraState& lora = *model->model->lora;
    json l;
    l["r"] = lora.config.rank;
    l["lora_alpha"] = lora.config.alpha;
    l["lora_dropout"] = lora.config.dropout;
    json targets = json::array();
    for (const auto& t : lora.config.targets) targets.push_back(t + "_proj");
    l["target_modules"] = targets;
    if (!adapterBase.empty()) l["base_model"] = adapterBase.string();
    manifest["lora"] = l;
  }
  if (classifier) {
    manifest["labels"] = config.id2label;
    manifest["pad_token_id"] = config.pad_token_id;  // what a classifier's pooling skips: needed to load a peft base as a classifier
  }
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
