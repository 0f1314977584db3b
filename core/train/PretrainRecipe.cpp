#include "core/train/PretrainRecipe.h"

#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace fts {

PretrainRecipe PretrainRecipe::load(const std::filesystem::path& file) {
  using json = nlohmann::ordered_json;
  json j;
  try {
    j = json::parse(readWholeFile(file));
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(file.string() + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!j.is_object()) throw std::invalid_argument(file.string() + ": a recipe holds a JSON object");
  PretrainRecipe r;
  r.path = std::filesystem::absolute(file).lexically_normal();
  const auto dir = r.path.parent_path();
  auto resolve = [&](const std::string& p) { return std::filesystem::path(p).is_relative() ? (dir / p).lexically_normal() : std::filesystem::path(p); };
  r.name = j.value("name", file.stem().string());
  if (j.contains("prepare")) r.prepareScript = resolve(j.at("prepare").get<std::string>());
  if (!j.contains("output") || !j.at("output").is_object() || !j.at("output").contains("model"))
    throw std::invalid_argument(file.string() + ": 'output.model' must name the folder the pretrained model goes to");
  const json out = j.at("output");
  for (auto it = out.begin(); it != out.end(); ++it)
    if (it.key() != "model" && it.key() != "dtype" && it.key() != "report" && it.key() != "curve")
      throw std::invalid_argument(file.string() + ": unknown key 'output." + it.key() + "' (valid: model, dtype, report, curve)");
  r.modelOut = resolve(out.at("model").get<std::string>());
  r.dtype = out.value("dtype", "bf16");
  if (r.dtype != "f32" && r.dtype != "f16" && r.dtype != "bf16")
    throw std::invalid_argument(file.string() + ": 'output.dtype' must be f32, f16 or bf16, not '" + r.dtype + "'");
  r.reportOut = resolve(out.value("report", "pretrain-report.json"));
  r.curveOut = resolve(out.value("curve", "pretrain-curve.svg"));
  for (const char* key : {"name", "description", "prepare", "output"}) j.erase(key);
  r.config = TrainConfig::fromJson(j.dump(), file.string());
  if (r.config.task != "lm") throw std::invalid_argument(file.string() + ": a pretraining recipe trains a causal LM: set \"task\": \"lm\"");
  if (!r.config.model.base.empty())
    throw std::invalid_argument(file.string() + ": pretraining starts from scratch; to continue from a model, train a project with model.base");
  for (std::string* p : {&r.config.data.train, &r.config.data.validation, &r.config.data.test})
    if (!p->empty()) *p = resolve(*p).string();
  return r;
}

}  // namespace fts
