// A helper for `make interop` (interop/check_rope_scaling.py), not a test: loads a Hugging Face Llama
// folder (config.json + safetensors) into our LlamaForCausalLM and prints its logits for the given ids
// as JSON, so transformers can be compared with us on the same weights without a tokenizer.
// Optionally saves the loaded model again with our writer (--save), so the check can hand our export
// (our config.json, rope_scaling included) back to transformers.
//
// usage: llama_logits FOLDER --ids "1,5,9;1,7,3" [--save OUT_FOLDER]
//   prints {"logits": [B][T][V], "rope_type": ..., "rope_field": ...}; on an error, exit 1 and the
//   message on stderr.
#include "core/io/HfModelFolder.h"
#include "core/model/LlamaModules.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <iostream>
#include <sstream>
#include <string>

namespace {

torch::Tensor parseRows(const std::string& text) {
  std::vector<std::vector<int64_t>> rows;
  std::stringstream rs(text);
  std::string row;
  while (std::getline(rs, row, ';')) {
    rows.emplace_back();
    std::stringstream vs(row);
    std::string v;
    while (std::getline(vs, v, ',')) rows.back().push_back(std::stoll(v));
  }
  if (rows.empty() || rows[0].empty()) throw std::invalid_argument("no ids in '" + text + "'");
  auto t = torch::zeros({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())}, torch::kInt64);
  for (size_t b = 0; b < rows.size(); ++b) {
    if (rows[b].size() != rows[0].size()) throw std::invalid_argument("rows of different lengths in '" + text + "'");
    for (size_t i = 0; i < rows[b].size(); ++i) t[b][i] = rows[b][i];
  }
  return t;
}

nlohmann::json toJson(const torch::Tensor& t) {
  auto d = t.to(torch::kFloat64).contiguous();
  if (d.dim() == 1) return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
  nlohmann::json out = nlohmann::json::array();
  for (int64_t i = 0; i < d.size(0); ++i) out.push_back(toJson(d[i]));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) throw std::invalid_argument("usage: llama_logits FOLDER --ids ROWS [--save OUT_FOLDER]");
    const std::filesystem::path folder = argv[1];
    std::string idsText, save;
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--ids") idsText = value();
      else if (a == "--save") save = value();
      else throw std::invalid_argument("unknown option " + a);
    }
    const auto ids = parseRows(idsText);  // [B,T]
    const auto files = fts::findHfModelFiles(folder);
    const auto config = fts::loadHfConfig(folder);
    fts::LlamaForTask model(config, fts::HeadKind::CausalLM);
    fts::loadHfWeights(model, files);
    model->eval();
    torch::NoGradGuard noGrad;
    auto hidden = model->model->forwardEmbeds(model->model->embed(ids));  // [B,T,D]
    nlohmann::json out;
    out["logits"] = toJson(model->lmLogits(hidden));                       // [B,T,V]
    out["rope_type"] = config.rope_scaling.rope_type;
    out["rope_field"] = config.rope_scaling.field;
    if (!save.empty()) fts::saveHfModelFolder(save, model, nullptr);
    std::cout << out.dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "llama_logits: " << e.what() << "\n";
    return 1;
  }
}
