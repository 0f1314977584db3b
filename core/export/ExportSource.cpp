#include "core/export/ExportSource.h"

#include "core/model/LlamaConfig.h"
#include "core/model/Lora.h"
#include "core/runs/RunStore.h"
#include "core/train/TrainConfig.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace fts {
namespace fs = std::filesystem;
namespace {

bool isModelFolder(const fs::path& f) {
  return fs::is_regular_file(f / "config.json") &&
         (fs::is_regular_file(f / "model.safetensors") || fs::is_regular_file(f / "model.safetensors.index.json"));
}

std::string taskOf(const fs::path& configJson) {
  try {
    return LlamaConfig::load(configJson).id2label.empty() ? "lm" : "cls";
  } catch (const std::exception&) {
    return {};
  }
}

std::string modelTypeOf(const fs::path& configJson) {
  try {
    const auto j = nlohmann::json::parse(readWholeFile(configJson));
    return j.is_object() ? j.value("model_type", std::string()) : std::string();
  } catch (const std::exception&) {
    return {};
  }
}

std::string shortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string describeMethod(const TrainConfig& cfg, bool lora, const std::vector<std::string>& targets, bool classifier) {
  if (lora)
    return "LoRA (rank " + std::to_string(cfg.model.lora_rank) + ", alpha " + shortNumber(cfg.model.lora_alpha) + ", dropout " +
           shortNumber(cfg.model.lora_dropout) + ", on " + joined(targets) + ") on a frozen base" +
           (classifier ? ", classification head trained" : "");
  std::string m = cfg.model.base.empty() ? "trained from scratch" : "full fine-tuning";
  if (cfg.model.freeze_embeddings || cfg.model.freeze_layers > 0) {
    m += " with frozen ";
    if (cfg.model.freeze_embeddings) m += "embeddings";
    if (cfg.model.freeze_embeddings && cfg.model.freeze_layers > 0) m += " and ";
    if (cfg.model.freeze_layers > 0) m += "first " + std::to_string(cfg.model.freeze_layers) + " layers";
  }
  return m;
}

}  // namespace

ExportSourceInfo inspectExportSource(const fs::path& folder) {
  if (!fs::is_directory(folder)) throw std::runtime_error(folder.string() + ": is not a folder: give a run id, a run folder or a model folder");
  ExportSourceInfo s;
  s.folder = folder;
  s.name = folder.filename().empty() ? folder.parent_path().filename().string() : folder.filename().string();
  s.isRun = fs::is_regular_file(folder / "train_config.json");
  if (!s.isRun) {
    if (!isModelFolder(folder))
      throw std::runtime_error(folder.string() + ": is neither a run folder (train_config.json) nor a model folder "
                               "(config.json with model.safetensors)");
    s.hasWeights = true;
    s.task = taskOf(folder / "config.json");
    s.modelType = modelTypeOf(folder / "config.json");
    return s;
  }
  const fs::path cfgFile = folder / "train_config.json";
  const TrainConfig cfg = TrainConfig::fromJson(readWholeFile(cfgFile), cfgFile.string());
  s.finished = isModelFolder(folder / "model");
  s.task = taskOf(s.finished ? folder / "model" / "config.json" : folder / "config.json");
  s.modelType = modelTypeOf(s.finished ? folder / "model" / "config.json" : folder / "config.json");
  s.hasWeights = s.finished || fs::is_directory(folder / "checkpoints");
  s.baseModel = cfg.model.base;
  s.lora = cfg.model.lora_rank > 0;
  if (s.lora) {
    s.loraRank = cfg.model.lora_rank;
    s.loraAlpha = cfg.model.lora_alpha;
    s.loraDropout = cfg.model.lora_dropout;
    for (const auto& t : LoraConfig::parseTargets(cfg.model.lora_targets)) s.loraTargets.push_back(t + "_proj");
  }
  s.method = describeMethod(cfg, s.lora, s.loraTargets, s.task == "cls");
  try {
    if (fs::is_regular_file(folder / "split.json"))
      s.dataFingerprint = nlohmann::json::parse(readWholeFile(folder / "split.json")).value("file_fingerprint", "");
  } catch (const std::exception&) {
    // A damaged split.json only costs the card its fingerprint; resuming the run reports it.
  }
  return s;
}

std::string exportFormatUnavailable(const ExportSourceInfo& s, ExportFormat format) {
  const std::string what = s.isRun ? "run " + s.name : s.folder.string();
  if (!s.hasWeights) return what + " holds no model yet (no model/ folder and no checkpoint): export it once it has trained";
  if (s.modelType == "bert") {
    // Encoders export as Hugging Face folders (core/export/EncoderExport.h); LoRA runs with their
    // adapters merged in.
    if (format == ExportFormat::HuggingFace) return {};
    if (format == ExportFormat::Gguf)
      return what + " is a BERT encoder, and GGUF export is for decoders: llama.cpp's BERT support computes embeddings, with no "
             "classification or masked-LM head, so this model cannot be written as GGUF; export it with --format hf";
    return "--format " + std::string(exportFormatName(format)) + " is not written for BERT encoders yet: " + what +
           " exports with --format hf (a LoRA run's adapters merged into the weights)";
  }
  switch (format) {
    case ExportFormat::HuggingFace:
      return {};
    case ExportFormat::Gguf:
      if (s.task == "cls")
        return "GGUF export is for causal language models: llama.cpp has no sequence-classification head (score.weight), so this "
               "classifier cannot be written as GGUF; export it with --format hf";
      return {};
    case ExportFormat::Peft:
    case ExportFormat::Merged: {
      const std::string flag = std::string("--format ") + std::string(exportFormatName(format));
      if (!s.isRun)
        return flag + " needs a LoRA run, and " + what + " is a model folder, not a run: a LoRA adapter comes from a run trained "
               "with model.lora_rank > 0 on a base (model.base); export this folder with --format hf or --format gguf";
      if (!s.lora)
        return flag + " needs a LoRA run, and " + what + " was trained without LoRA (all of its weights were trained, so there is " +
               (format == ExportFormat::Peft ? "no adapter to write" : "no adapter to merge") +
               "): export the whole model with --format hf (or --format gguf); for an adapter, train with model.lora_rank > 0 "
               "and model.base set";
      if (format == ExportFormat::Merged) return {};
      if (s.baseModel.empty())
        return flag + ": " + what + " trained LoRA adapters on a randomly initialised model (no model.base), so there is no base "
               "model folder a PEFT adapter could be loaded onto: export the adapted model with --format merged";
      if (!fs::exists(fs::path(s.baseModel) / "config.json"))
        return flag + ": the base model of " + what + ", " + s.baseModel + ", is gone (no config.json there), and an adapter is "
               "only of use with its base: put the base folder back, or export the adapted model with --format merged";
      return {};
    }
  }
  return {};
}

std::string exportDtypeUnavailable(ExportFormat format, ExportDtype dtype) {
  if (dtype != ExportDtype::Q8_0 || format == ExportFormat::Gguf) return {};
  return "q8_0 is a GGUF block format with no safetensors equivalent that transformers or peft loads: use --format gguf --dtype "
         "q8_0, or --format " + std::string(exportFormatName(format)) + " with f32, f16 or bf16";
}

ModelCardInfo modelCardInfoFromStore(const RunStore& store, const RunRecord& run) {
  ModelCardInfo c;
  c.runId = run.id;
  c.runName = run.name;
  c.task = run.task;
  c.method = run.method;
  c.baseModel = run.baseModel;
  c.datasetFingerprint = run.datasetFingerprint;
  c.metrics = store.finalMetrics(run.id);
  return c;
}

}  // namespace fts
