// A helper for `make interop` (interop/check_bert.py), not a test: loads a BERT folder into one of our
// models and prints its last hidden state and logits as JSON, so outside tools can be compared with us
// on the same ids. Optionally saves the loaded model again with our writer (--save), so the check can
// hand our export to transformers.
//
// usage: bert_logits FOLDER --head seqcls|mlm|base --ids "1,5,9;1,7,0" [--types "0,0,1;0,0,0"]
//                    [--lengths "3,2"] [--fresh-head] [--save OUT_FOLDER]
//   --lengths: real tokens per row (right padding, the rest masked); default: no padding.
//   --fresh-head: a head missing in the folder keeps its initialisation (listed in the output).
#include "core/io/BertHfFolder.h"
#include "core/model/BertModules.h"

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
  if (rows.empty()) throw std::invalid_argument("no rows in '" + text + "'");
  auto t = torch::zeros({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())}, torch::kInt64);
  for (size_t b = 0; b < rows.size(); ++b) {
    if (rows[b].size() != rows[0].size()) throw std::invalid_argument("rows of different lengths in '" + text + "'");
    for (size_t i = 0; i < rows[b].size(); ++i) t[b][i] = rows[b][i];
  }
  return t;
}

nlohmann::json toJson(const torch::Tensor& t) {
  auto d = t.to(torch::kFloat64).contiguous();
  if (d.dim() == 1) {
    std::vector<double> v(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
    return v;
  }
  nlohmann::json out = nlohmann::json::array();
  for (int64_t i = 0; i < d.size(0); ++i) out.push_back(toJson(d[i]));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) throw std::invalid_argument("usage: bert_logits FOLDER --head seqcls|mlm|base --ids ROWS [...]");
    const std::filesystem::path folder = argv[1];
    std::string head = "seqcls", idsText, typesText, lengthsText, save;
    bool freshHead = false;
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--head") head = value();
      else if (a == "--ids") idsText = value();
      else if (a == "--types") typesText = value();
      else if (a == "--lengths") lengthsText = value();
      else if (a == "--save") save = value();
      else if (a == "--fresh-head") freshHead = true;
      else throw std::invalid_argument("unknown option " + a);
    }
    torch::manual_seed(0);
    const auto ids = parseRows(idsText);                                   // [B,T]
    torch::Tensor types = typesText.empty() ? torch::Tensor() : parseRows(typesText);
    torch::Tensor mask = torch::ones_like(ids);                            // [B,T]
    if (!lengthsText.empty()) {
      const auto lengths = parseRows(lengthsText)[0];                      // [B]
      mask = (torch::arange(ids.size(1)).unsqueeze(0) < lengths.unsqueeze(1)).to(torch::kInt64);
    }
    const auto files = fts::findHfModelFiles(folder);
    const auto config = fts::loadBertHfConfig(folder);
    fts::HfLoadOptions options;
    options.allowMissingHead = freshHead;
    nlohmann::json out;
    fts::BertLoadReport report;
    torch::NoGradGuard noGrad;
    auto finish = [&](const torch::Tensor& hidden, const torch::Tensor& logits) {
      out["hidden"] = toJson(hidden);
      if (logits.defined()) out["logits"] = toJson(logits);
      out["bare_names"] = report.bareNames;
      out["head_kept_initialised"] = report.headKeptInitialised;
      out["unused"] = report.unused;
      out["tensors_loaded"] = report.tensorsLoaded;
    };
    if (head == "seqcls") {
      fts::BertForSequenceClassification model(config);
      report = fts::loadBertHfWeights(model, files, options);
      model->eval();
      auto hidden = model->bert->forwardEmbeds(model->bert->embed(ids), mask, types);  // [B,T,D]
      finish(hidden, model->classLogits(hidden, mask));                                // [B,C]
      if (!save.empty()) fts::saveBertHfFolder(save, model);
    } else if (head == "mlm") {
      fts::BertForMaskedLM model(config);
      report = fts::loadBertHfWeights(model, files, options);
      model->eval();
      auto hidden = model->bert->forwardEmbeds(model->bert->embed(ids), mask, types);
      finish(hidden, model->mlmLogits(hidden));                                        // [B,T,V]
      if (!save.empty()) fts::saveBertHfFolder(save, model);
    } else if (head == "base") {
      fts::BertModel model(config, /*addPooler=*/true);
      report = fts::loadBertHfWeights(model, files, options);
      model->eval();
      auto hidden = model->forwardEmbeds(model->embed(ids), mask, types);
      finish(hidden, model->pooler(hidden));                                           // pooler output [B,D]
      if (!save.empty()) fts::saveBertHfFolder(save, model);
    } else {
      throw std::invalid_argument("--head must be seqcls, mlm or base, not '" + head + "'");
    }
    std::cout << out.dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bert_logits: " << e.what() << "\n";
    return 1;
  }
}
