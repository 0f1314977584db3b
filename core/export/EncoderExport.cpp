#include "core/export/EncoderExport.h"

#include "core/export/ExportSteps.h"
#include "core/export/LogitComparison.h"
#include "core/export/StagedFolder.h"
#include "core/io/BertHfFolder.h"
#include "core/io/HfModelFolder.h"
#include "core/model/BertModules.h"
#include "core/runs/RunStore.h"
#include "core/text/Tokenizer.h"
#include "core/train/Checkpoint.h"
#include "core/train/BertTaskModel.h"
#include "core/train/LoraSettings.h"
#include "core/train/TrainConfig.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>

namespace fts {
namespace fs = std::filesystem;
namespace {

using json = nlohmann::ordered_json;

struct LoadedEncoder {
  std::unique_ptr<TaskModel> model;
  std::unique_ptr<Tokenizer> tokenizer;
  fs::path runDir;     // empty for a bare model folder
  std::string source;  // what the weights came from
  std::string note;    // how they were obtained, when the user should know
};

bool isHfFolder(const fs::path& f) {
  return fs::is_regular_file(f / "config.json") &&
         (fs::is_regular_file(f / "model.safetensors") || fs::is_regular_file(f / "model.safetensors.index.json"));
}

// The encoder a folder's config.json describes, as ModelSetup's loadTaskModel / taskModelFromConfig
// build it (a classifier when it names classes, else the masked LM), with the folder's weights when
// `weights` is set. Built here because ModelSetup.cpp brings the trainer's run recording into every
// program that links the exporter.
std::unique_ptr<TaskModel> encoderFromFolder(const fs::path& folder, bool weights) {
  const BertConfig c = loadBertHfConfig(folder);
  if (!c.id2label.empty()) {
    BertForSequenceClassification m(c);
    if (weights) loadBertHfWeights(m, findHfModelFiles(folder));
    return std::make_unique<BertTaskModel>(std::move(m));
  }
  BertForMaskedLM m(c);
  if (weights) loadBertHfWeights(m, findHfModelFiles(folder));
  return std::make_unique<BertTaskModel>(std::move(m));
}

// As the decoders' loadSource: the run's model/ folder, else its best or newest checkpoint (a LoRA
// run's with its adapters attached, then merged), or a Hugging Face folder itself.
LoadedEncoder loadEncoder(const fs::path& folder) {
  LoadedEncoder m;
  const bool run = fs::is_regular_file(folder / "train_config.json");
  if (run) m.runDir = folder;
  const fs::path hf = isHfFolder(folder / "model") ? folder / "model" : isHfFolder(folder) ? folder : fs::path();
  if (!hf.empty()) {
    m.model = encoderFromFolder(hf, true);
    if (!findTokenizerFile(hf).empty()) m.tokenizer = loadHfTokenizer(hf, m.model->shape().vocab);
    m.source = hf.string();
  } else {
    fs::path ckpt = bestCheckpointDir(folder);
    if (!fs::exists(ckpt / "model.safetensors")) {
      const auto latest = latestCheckpoint(folder);
      if (!latest) throw std::runtime_error(folder.string() + ": the run holds no model yet (no model/ folder and no checkpoint)");
      ckpt = *latest;
    }
    m.model = encoderFromFolder(folder, false);  // the run's config.json; the checkpoint fills the weights
    const fs::path cfgFile = folder / "train_config.json";
    const TrainConfig cfg = TrainConfig::fromJson(readWholeFile(cfgFile), cfgFile.string());
    // A LoRA run's checkpoints hold the base and its adapters apart: attach them so the checkpoint
    // loads, then fold them in, as the hand-over at the end of training does.
    if (cfg.model.lora_rank > 0) m.model->attachLora(loraConfigOf(cfg), 0);
    loadCheckpoint(ckpt, m.model->module(), nullptr);
    if (m.model->hasLora()) {
      m.model->mergeLora();
      m.note = "LoRA adapters of " + ckpt.string() + " merged into the base weights for this export";
    }
    m.tokenizer = loadTokenizer(folder);
    m.source = ckpt.string();
  }
  m.model->module().eval();
  return m;
}

// The typed modules behind the TaskModel: saveBertHfFolder and the masked-LM logits need them.
BertForSequenceClassification classifierOf(TaskModel& m) {
  auto p = std::dynamic_pointer_cast<BertForSequenceClassificationImpl>(m.module().shared_from_this());
  return p ? BertForSequenceClassification(p) : BertForSequenceClassification(nullptr);
}
BertForMaskedLM maskedLmOf(TaskModel& m) {
  auto p = std::dynamic_pointer_cast<BertForMaskedLMImpl>(m.module().shared_from_this());
  return p ? BertForMaskedLM(p) : BertForMaskedLM(nullptr);
}

// Training frames every encoder input as [CLS] text [SEP] (bosId/eosId of a WordPiece tokenizer):
// makeSampleInputs' classifier framing, with the encoder's limits and special ids.
SampleInputs encoderSampleInputs(const std::vector<std::string>& texts, const Tokenizer* tok, const TaskModel& model) {
  const ModelShape s = model.shape();
  LlamaConfig c;
  c.vocab_size = s.vocab;
  c.max_position_embeddings = static_cast<int>(s.maxPositions);
  c.pad_token_id = static_cast<int>(s.padId);
  c.bos_token_id = tok && tok->pieceId("[CLS]") >= 0 ? tok->pieceId("[CLS]") : 101;  // BERT's ids when the tokenizer has none
  c.eos_token_id = tok && tok->pieceId("[SEP]") >= 0 ? tok->pieceId("[SEP]") : 102;
  return makeSampleInputs(texts, tok, c, /*classifier=*/true);
}

// One tensor per sample, float32, one sample at a time (no padding): classifier [C], masked LM [T,V].
std::vector<torch::Tensor> encoderLogits(TaskModel& model, const SampleInputs& inputs) {
  torch::NoGradGuard noGrad;
  model.module().eval();
  BertForMaskedLM mlm = maskedLmOf(model);
  std::vector<torch::Tensor> out;
  for (const auto& row : inputs.ids) {
    const auto ids = torch::tensor(row, torch::kInt64).unsqueeze(0);  // [1,T]
    const auto embeds = model.embed(ids);                             // [1,T,D]
    if (model.head() == TaskHead::SequenceClassification) {
      const auto lengths = torch::tensor({static_cast<int64_t>(row.size())}, torch::kInt64);
      out.push_back(model.classLogits(embeds, lengths)[0].to(torch::kFloat32).contiguous());  // [C]
    } else {
      const auto mask = torch::ones({1, ids.size(1)}, torch::kInt64);                        // [1,T]
      out.push_back(mlm->mlmLogits(mlm->bert->forwardEmbeds(embeds, mask))[0].to(torch::kFloat32).contiguous());  // [T,V]
    }
  }
  return out;
}

}  // namespace

ExportResult exportEncoder(const fs::path& sourceFolder, const ExportSourceInfo& info, const ExportOptions& o) {
  exportStage(o, "loading");
  LoadedEncoder src = loadEncoder(sourceFolder);
  TaskModel& model = *src.model;
  const bool classifier = model.head() == TaskHead::SequenceClassification;
  BertForSequenceClassification cls = classifierOf(model);
  BertForMaskedLM mlm = maskedLmOf(model);
  if (!cls && !mlm) throw std::logic_error(src.source + ": a BERT model that is neither a classifier nor a masked LM");

  ModelCardInfo card = o.card;
  if (card.task.empty()) card.task = classifier ? "cls" : "mlm";
  if (!src.runDir.empty()) {
    if (card.trainConfigJson.empty()) card.trainConfigJson = readIfExists(src.runDir / "train_config.json");
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
  const SampleInputs inputs = encoderSampleInputs(texts, src.tokenizer.get(), model);
  const std::vector<torch::Tensor> reference = encoderLogits(model, inputs);

  StagedFolder staged(o.out, kExportManifest);
  ExportResult result;
  result.out = staged.target();
  result.source = src.source;
  result.task = card.task;
  if (!src.note.empty()) result.notes.push_back(src.note);

  // ---- Write: config.json + model.safetensors (swapped into the empty staging folder), then the tokenizer
  exportStage(o, "writing");
  HfSaveOptions save;
  save.dtype = safetensorsDtypeOf(o.dtype);  // one file: BERT folders are not sharded here
  if (cls) saveBertHfFolder(staged.path(), cls, save);
  else saveBertHfFolder(staged.path(), mlm, save);
  if (src.tokenizer) src.tokenizer->saveFiles(staged.path());

  // ---- Verify: read back what is on disk into a fresh model, compare logits --------------------
  exportStage(o, "verifying");
  const std::string dtype(exportDtypeName(o.dtype));
  const std::unique_ptr<TaskModel> reloaded = encoderFromFolder(staged.path(), true);  // BF16/F16 widen to float32
  if (reloaded->architecture() != model.architecture())
    throw std::runtime_error(staged.path().string() + "/config.json: reads back as " + reloaded->architecture() + ", not " +
                             model.architecture() + ". Please report this as a bug.");
  const std::vector<torch::Tensor> reloadedLogits = encoderLogits(*reloaded, inputs);
  ExportVerification v = compareLogits(reference, reloadedLogits, exportRelativeTolerance(ExportFormat::HuggingFace, o.dtype));
  v.reloadedWith = "config.json and safetensors weights (" + dtype + ") loaded into a fresh float32 " + model.architecture() +
                   (classifier ? "" : " (logits at every position)");
  v.tokenizerCheck = checkReloadedTokenizer(staged.path(), model.shape().vocab, src.tokenizer.get(), texts);
  result.verification = v;
  if (!v.passed)
    throw ExportVerificationError("the export was read back and does not match the model (" + verificationFigures(v) + "): nothing was written under " +
                                      result.out.string() + ". Please report this as a bug.",
                                  v);

  // ---- Model card and manifest, then the swap ----------------------------------------------------
  exportStage(o, "finishing");
  int64_t parameters = 0;
  for (const auto& p : model.module().named_parameters()) parameters += p.value().numel();
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(staged.path())) files.push_back(e.path().filename().string());
  files.push_back("README.md");
  files.push_back(kExportManifest);
  std::sort(files.begin(), files.end());
  result.files = files;

  ModelCardExport ex;
  ex.format = std::string(exportFormatName(ExportFormat::HuggingFace));
  ex.dtype = dtype;
  ex.architecture = model.architecture();
  ex.modelConfigJson = model.configJson();
  ex.parameters = parameters;
  ex.labels = model.labels();
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
  if (classifier) {
    manifest["labels"] = ex.labels;
    manifest["pad_token_id"] = model.shape().padId;
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
