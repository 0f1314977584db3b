#include "core/export/LoraExport.h"

#include "core/io/HfModelFolder.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/SafetensorsWriter.h"
#include "core/io/TorchTensors.h"
#include "core/train/Checkpoint.h"
#include "core/train/LoraSettings.h"
#include "core/train/TrainConfig.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace fts {
namespace fs = std::filesystem;
namespace {

bool isAdapterName(const std::string& n) { return n.find(".lora_A.") != std::string::npos || n.find(".lora_B.") != std::string::npos; }

HeadKind kindOf(const LlamaConfig& c) { return c.id2label.empty() ? HeadKind::CausalLM : HeadKind::SequenceClassification; }

// The weights the model computes with: each adapted projection's W + scale * B A, every other
// parameter as it is; adapters themselves left out. name -> tensor
std::map<std::string, torch::Tensor> effectiveWeights(LlamaForTask& model) {
  const LoraState* lora = model->model->lora.get();
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : model->named_parameters())
    if (!isAdapterName(p.key())) out[p.key()] = p.value();
  for (const auto& m : model->named_modules()) {
    auto linear = std::dynamic_pointer_cast<torch::nn::LinearImpl>(m.value());
    if (!linear) continue;
    const torch::nn::Linear holder(linear);
    if (lora && lora->find(holder)) out[m.key() + ".weight"] = effectiveWeight(holder, lora);
  }
  return out;
}

// Whether `adapted` (adapters attached, unmerged) computes with the weights `handed` holds.
bool sameWeights(LlamaForTask& adapted, LlamaForTask& handed) {
  torch::NoGradGuard noGrad;
  const auto mine = effectiveWeights(adapted);
  const auto theirs = handed->named_parameters();
  if (mine.size() != theirs.size()) return false;
  for (const auto& [name, t] : mine) {
    const torch::Tensor* other = theirs.find(name);
    if (!other || other->sizes() != t.sizes()) return false;
    // The hand-over folded the adapters in with the same product: equal up to float rounding.
    const double scale = std::max(1.0, other->abs().max().item<double>());
    if ((*other - t).abs().max().item<double>() > 1e-5 * scale) return false;
  }
  return true;
}

[[noreturn]] void fail(const fs::path& where, const std::string& what) { throw std::runtime_error(where.string() + ": " + what); }

std::string jsonNumber(double v) {
  // lora_alpha is an int in peft's LoraConfig: write 16, not 16.0, when it is whole.
  return v == std::floor(v) && std::abs(v) < 1e15 ? std::to_string(static_cast<long long>(v)) : nlohmann::json(v).dump();
}

}  // namespace

LoraRunModel loadLoraRun(const fs::path& runDir) {
  const fs::path cfgFile = runDir / "train_config.json";
  if (!fs::is_regular_file(cfgFile)) throw std::invalid_argument(runDir.string() + ": is not a run folder (no train_config.json)");
  const TrainConfig cfg = TrainConfig::fromJson(readWholeFile(cfgFile), cfgFile.string());
  if (cfg.model.lora_rank <= 0) throw std::invalid_argument(runDir.string() + ": was trained without LoRA (model.lora_rank is 0)");
  LoraRunModel r;
  r.lora = loraConfigOf(cfg);
  r.baseModel = cfg.model.base;
  const LlamaConfig config = LlamaConfig::load(runDir / "config.json");
  r.tokenizer = loadTokenizer(runDir);

  // The best weights first (what training hands over when it kept a best), then newest to oldest.
  std::vector<fs::path> candidates;
  if (fs::is_regular_file(bestCheckpointDir(runDir) / "model.safetensors")) candidates.push_back(bestCheckpointDir(runDir));
  auto steps = stepCheckpoints(runDir);
  std::reverse(steps.begin(), steps.end());
  candidates.insert(candidates.end(), steps.begin(), steps.end());
  if (candidates.empty()) fail(runDir, "holds no checkpoint, so its LoRA adapters are not there: export it once it has trained");

  auto load = [&](const fs::path& ckpt) {
    LlamaForTask m(config, kindOf(config));
    attachLora(m, r.lora, 0);
    loadCheckpoint(ckpt, m, nullptr);  // base weights, adapters and head, by name
    m->eval();
    return m;
  };
  const fs::path handedDir = runDir / "model";
  if (!fs::is_regular_file(handedDir / "config.json")) {
    r.model = load(candidates.front());
    r.checkpoint = candidates.front();
    r.note = "the run has not finished (no model/ folder yet): its adapters come from checkpoint " + r.checkpoint.filename().string();
    return r;
  }
  const LlamaConfig handedConfig = loadHfConfig(handedDir);
  LlamaForTask handed(handedConfig, kindOf(handedConfig));
  loadHfWeights(handed, findHfModelFiles(handedDir));
  std::string tried;
  for (const auto& c : candidates) {
    LlamaForTask m = load(c);
    if (sameWeights(m, handed)) {
      r.model = m;
      r.checkpoint = c;
      return r;
    }
    tried += (tried.empty() ? "" : ", ") + c.filename().string();
  }
  fail(handedDir, "is not the base with the adapters of any of the run's checkpoints (" + tried +
                      ") folded in: the run folder was changed after training. Export model/ as it is with --format hf");
}

std::string peftTensorName(const std::string& ours) { return "base_model.model." + ours; }

std::string peftAdapterConfigJson(const LoraConfig& lora, bool classifier, const std::string& baseModel) {
  // The fields peft's LoraConfig.save_pretrained writes for a plain LoRA (sorted keys, as peft writes
  // them); the newer optional ones keep their defaults and are left out, so older peft versions load it.
  nlohmann::json j;
  j["alpha_pattern"] = nlohmann::json::object();
  j["auto_mapping"] = nullptr;
  j["base_model_name_or_path"] = baseModel;
  j["bias"] = "none";
  j["fan_in_fan_out"] = false;
  j["inference_mode"] = true;
  j["init_lora_weights"] = true;
  j["layers_pattern"] = nullptr;
  j["layers_to_transform"] = nullptr;
  j["lora_alpha"] = nlohmann::json::parse(jsonNumber(lora.alpha));
  j["lora_dropout"] = lora.dropout;
  j["modules_to_save"] = classifier ? nlohmann::json::array({"score"}) : nlohmann::json(nullptr);
  j["peft_type"] = "LORA";
  j["r"] = lora.rank;
  j["rank_pattern"] = nlohmann::json::object();
  j["revision"] = nullptr;
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : lora.targets) targets.push_back(t + "_proj");
  j["target_modules"] = targets;
  j["task_type"] = classifier ? "SEQ_CLS" : "CAUSAL_LM";
  j["use_dora"] = false;
  j["use_rslora"] = false;
  return j.dump(2) + "\n";
}

void writePeftAdapter(const fs::path& folder, LlamaForTask& model, const std::string& baseModel, SafetensorsDtype dtype) {
  auto lora = model->model->lora;
  if (!lora) throw std::logic_error("writePeftAdapter: the model has no LoRA adapters");
  if (lora->merged) throw std::logic_error("writePeftAdapter: the adapters are merged into the base");
  const bool classifier = model->kind == HeadKind::SequenceClassification;
  const auto params = model->named_parameters();
  std::vector<TensorForWrite> keep;
  keep.reserve(params.size());
  for (const auto& p : params)
    if (isAdapterName(p.key()) || (classifier && p.key() == "score.weight"))
      keep.push_back(prepareForWrite(peftTensorName(p.key()), p.value(), dtype));
  std::vector<TensorView> views;
  for (const auto& k : keep) views.push_back(k.view);
  writeSafetensors(folder / kPeftWeightsFile, views, {{"format", "pt"}});
  writeFileAtomically(folder / kPeftConfigFile, peftAdapterConfigJson(lora->config, classifier, baseModel));
}

void loadPeftAdapter(LlamaForTask& base, const fs::path& folder) {
  const fs::path cfgFile = folder / kPeftConfigFile;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(readWholeFile(cfgFile));
  } catch (const nlohmann::json::exception& e) {
    fail(cfgFile, std::string("is not valid JSON: ") + e.what());
  }
  LoraConfig lc;
  bool seqCls = false;
  std::set<std::string> toSave;
  try {
    if (j.value("peft_type", "") != "LORA") fail(cfgFile, "peft_type is not \"LORA\": only LoRA adapters are read here");
    if (j.value("bias", "none") != "none" || j.value("use_dora", false) || j.value("use_rslora", false) || j.value("fan_in_fan_out", false))
      fail(cfgFile, "uses bias, DoRA, rsLoRA or fan_in_fan_out, which the studio's LoRA does not compute");
    lc.rank = j.at("r").get<int>();
    lc.alpha = j.at("lora_alpha").get<double>();
    lc.dropout = j.value("lora_dropout", 0.0);
    if (!j.at("target_modules").is_array()) fail(cfgFile, "target_modules is not a list of module names (a pattern is not read here)");
    lc.targets.clear();
    for (const auto& t : j.at("target_modules")) lc.targets.push_back(LoraConfig::parseTargets(t.get<std::string>()).at(0));
    seqCls = j.value("task_type", "") == "SEQ_CLS";
    if (j.contains("modules_to_save") && j["modules_to_save"].is_array())
      for (const auto& m : j["modules_to_save"]) toSave.insert(m.get<std::string>());
    lc.validate();
  } catch (const nlohmann::json::exception& e) {
    fail(cfgFile, std::string("lacks a field or has one of the wrong type: ") + e.what());
  } catch (const std::invalid_argument& e) {
    fail(cfgFile, e.what());
  }
  const bool classifier = base->kind == HeadKind::SequenceClassification;
  if (seqCls != classifier)
    fail(cfgFile, std::string("task_type is ") + j.value("task_type", "(none)") + " but the model it is loaded onto is a " +
                      (classifier ? "classifier" : "causal LM"));
  // peft saves the classifier's head beside the adapters for SEQ_CLS, whether or not it is listed.
  if (seqCls) toSave.insert("score");
  attachLora(base, lc, 0);

  const SafetensorsReader reader(folder / kPeftWeightsFile);
  std::map<std::string, torch::Tensor> places;  // peft name -> parameter
  for (auto& p : base->named_parameters())
    if (isAdapterName(p.key()) || (p.key() == "score.weight" && toSave.count("score")))
      places[peftTensorName(p.key())] = p.value();
  torch::NoGradGuard noGrad;
  std::set<std::string> filled;
  for (const auto& e : reader.entries()) {
    auto it = places.find(e.name);
    if (it == places.end())
      fail(reader.path(), "holds tensor \"" + e.name + "\", which has no place in the model with this adapter_config.json");
    if (e.shape != it->second.sizes().vec())
      fail(reader.path(), "tensor \"" + e.name + "\" has the wrong shape for the model (r or the base does not match)");
    it->second.copy_(floatTensorFromView(reader.view(e)));
    filled.insert(e.name);
  }
  for (const auto& [name, t] : places)
    if (!filled.count(name)) fail(reader.path(), "has no tensor \"" + name + "\" that adapter_config.json implies");
  base->eval();
}

}  // namespace fts
