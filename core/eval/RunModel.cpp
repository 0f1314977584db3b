#include "core/eval/RunModel.h"

#include "core/io/HfModelFolder.h"
#include "core/model/LlamaModules.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/train/Checkpoint.h"
#include "core/train/LoraSettings.h"
#include "core/util/AtomicFile.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fts {
namespace fs = std::filesystem;

struct RunModel::Impl {
  LlamaForTask model{nullptr};
  std::unique_ptr<SentencePieceTokenizer> tokenizer;
  std::string source;

  std::vector<int64_t> ids(const std::string& text, int maxLen, bool addEos) const {
    std::vector<int> body = tokenizer->encode(text);
    const size_t room = static_cast<size_t>(std::max(1, maxLen - 2));
    if (body.size() > room) body.resize(room);
    std::vector<int64_t> out{tokenizer->bosId() >= 0 ? tokenizer->bosId() : SentencePieceTokenizer::kBos};
    out.insert(out.end(), body.begin(), body.end());
    if (addEos) out.push_back(tokenizer->eosId() >= 0 ? tokenizer->eosId() : SentencePieceTokenizer::kEos);
    return out;
  }
};

RunModel::RunModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunModel::RunModel(RunModel&&) noexcept = default;
RunModel& RunModel::operator=(RunModel&&) noexcept = default;
RunModel::~RunModel() = default;

RunModel RunModel::load(const fs::path& folder) {
  auto impl = std::make_unique<Impl>();
  fs::path hf = folder / "model";
  if (!fs::exists(hf / "config.json") && fs::exists(folder / "config.json") && fs::exists(folder / "model.safetensors")) hf = folder;
  if (fs::exists(hf / "config.json") && (fs::exists(hf / "model.safetensors") || fs::exists(hf / "model.safetensors.index.json"))) {
    const LlamaConfig config = loadHfConfig(hf);
    impl->tokenizer = std::make_unique<SentencePieceTokenizer>(loadHfTokenizer(hf, config));
    impl->model = LlamaForTask(config, config.id2label.empty() ? HeadKind::CausalLM : HeadKind::SequenceClassification);
    loadHfWeights(impl->model, findHfModelFiles(hf));
    impl->source = hf.string();
  } else {
    // A run that has not finished: its best weights, else its newest checkpoint.
    fs::path ckpt = bestCheckpointDir(folder);
    if (!fs::exists(ckpt / "model.safetensors")) {
      const auto latest = latestCheckpoint(folder);
      if (!latest) throw std::runtime_error(folder.string() + ": holds no model yet (no model/ folder and no checkpoint)");
      ckpt = *latest;
    }
    const LlamaConfig config = LlamaConfig::load(folder / "config.json");
    impl->tokenizer = std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::load(folder / "tokenizer.model"));
    impl->model = LlamaForTask(config, config.id2label.empty() ? HeadKind::CausalLM : HeadKind::SequenceClassification);
    // A LoRA run's checkpoints hold its adapters: attach them as the run did before reading.
    if (fs::exists(folder / "train_config.json")) {
      const TrainConfig cfg = TrainConfig::fromJson(readWholeFile(folder / "train_config.json"), (folder / "train_config.json").string());
      if (cfg.model.lora_rank > 0) attachLora(impl->model, loraConfigOf(cfg), 0);
    }
    loadCheckpoint(ckpt, impl->model, nullptr);
    impl->source = ckpt.string();
  }
  impl->model->eval();
  return RunModel(std::move(impl));
}

bool RunModel::isClassifier() const { return impl_->model->kind == HeadKind::SequenceClassification; }
std::string RunModel::source() const { return impl_->source; }

Prediction RunModel::predict(const std::string& text, const GenerationOptions& gen) const {
  torch::NoGradGuard noGrad;
  auto& model = impl_->model;
  const auto& config = model->model->config;
  Prediction out;
  if (isClassifier()) {
    const auto ids = impl_->ids(text, config.max_position_embeddings, true);
    auto input = torch::tensor(ids, torch::kInt64).unsqueeze(0);                  // [1,T]
    auto hidden = model->model->forwardEmbeds(model->model->embed(input));        // [1,T,D]
    auto probs = torch::softmax(model->classLogits(hidden, torch::tensor({static_cast<int64_t>(ids.size())})), -1)[0];  // [C]
    for (size_t c = 0; c < config.id2label.size(); ++c)
      out.scores.emplace_back(config.id2label[c], probs[static_cast<int64_t>(c)].item<double>());
    std::sort(out.scores.begin(), out.scores.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    out.label = out.scores.front().first;
    return out;
  }
  // Causal LM: extend the prompt token by token (no KV cache yet: fine for short continuations).
  std::vector<int64_t> ids = impl_->ids(text, config.max_position_embeddings, false);
  const size_t prompt = ids.size();
  auto gen64 = at::detail::createCPUGenerator(gen.seed);
  for (int i = 0; i < gen.maxNewTokens; ++i) {
    const int64_t start = std::max<int64_t>(0, static_cast<int64_t>(ids.size()) - config.max_position_embeddings);
    auto input = torch::tensor(std::vector<int64_t>(ids.begin() + start, ids.end()), torch::kInt64).unsqueeze(0);
    auto logits = model->lmLogits(model->model->forwardEmbeds(model->model->embed(input)))[0][-1];  // [V]
    int64_t next;
    if (gen.temperature <= 0) {
      next = logits.argmax().item<int64_t>();
    } else {
      auto probs = torch::softmax(logits / gen.temperature, -1);
      next = torch::multinomial(probs, 1, false, gen64).item<int64_t>();
    }
    if (next == impl_->tokenizer->eosId()) break;
    ids.push_back(next);
  }
  out.continuation = impl_->tokenizer->decode(std::vector<int>(ids.begin() + static_cast<std::ptrdiff_t>(prompt), ids.end()));
  return out;
}

Evaluation RunModel::evaluate(const fs::path& dataFile, const data::LoadOptions& options, int maxLen) const {
  torch::NoGradGuard noGrad;
  auto& model = impl_->model;
  const auto& config = model->model->config;
  const data::Dataset ds = data::loadDataset(dataFile, options).dataset;
  Evaluation ev;
  ev.samples = static_cast<std::int64_t>(ds.samples.size());
  std::map<std::string, int> labelIds;
  for (size_t i = 0; i < config.id2label.size(); ++i) labelIds[config.id2label[i]] = static_cast<int>(i);
  std::vector<int> truth, predicted;
  double lossSum = 0, weight = 0;
  constexpr size_t kBatch = 32;
  for (size_t start = 0; start < ds.samples.size(); start += kBatch) {
    const size_t end = std::min(ds.samples.size(), start + kBatch);
    std::vector<std::vector<int64_t>> rows;
    int64_t T = 0;
    for (size_t i = start; i < end; ++i) {
      rows.push_back(impl_->ids(ds.samples[i].text, std::min(maxLen, config.max_position_embeddings), isClassifier()));
      T = std::max<int64_t>(T, static_cast<int64_t>(rows.back().size()));
    }
    const int64_t B = static_cast<int64_t>(rows.size());
    auto input = torch::full({B, T}, config.pad_token_id, torch::kInt64);      // [B,T]
    auto lengths = torch::empty({B}, torch::kInt64);
    auto targets = torch::full({B, T}, -100, torch::kInt64);
    for (int64_t b = 0; b < B; ++b) {
      const auto& r = rows[static_cast<size_t>(b)];
      for (size_t j = 0; j < r.size(); ++j) {
        input[b][static_cast<int64_t>(j)] = r[j];
        if (j + 1 < r.size()) targets[b][static_cast<int64_t>(j)] = r[j + 1];
      }
      lengths[b] = static_cast<int64_t>(r.size());
    }
    auto hidden = model->model->forwardEmbeds(model->model->embed(input));
    if (isClassifier()) {
      std::vector<int64_t> y;
      for (size_t i = start; i < end; ++i) {
        auto it = labelIds.find(ds.samples[i].label);
        if (it == labelIds.end())
          throw std::runtime_error(dataFile.string() + ":" + std::to_string(ds.samples[i].line) + ": label '" + ds.samples[i].label +
                                   "' is not one this model knows");
        y.push_back(it->second);
        truth.push_back(it->second);
      }
      auto logits = model->classLogits(hidden, lengths);                       // [B,C]
      lossSum += torch::nn::functional::cross_entropy(logits, torch::tensor(y)).item<double>() * static_cast<double>(B);
      weight += static_cast<double>(B);
      auto pred = logits.argmax(-1);
      for (int64_t b = 0; b < B; ++b) predicted.push_back(static_cast<int>(pred[b].item<int64_t>()));
    } else {
      auto logits = model->lmLogits(hidden);                                   // [B,T,V]
      auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}),
                                                       torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
      const double n = (targets != -100).sum().item<double>();
      lossSum += loss.item<double>() * n;
      weight += n;
    }
  }
  ev.metrics["loss"] = weight > 0 ? lossSum / weight : 0;
  if (isClassifier()) {
    ev.labels = config.id2label;
    ev.report = classificationReport(truth, predicted, static_cast<int>(config.id2label.size()));
    ev.metrics["accuracy"] = ev.report.accuracy;
    ev.metrics["macro_f1"] = ev.report.macroF1;
    ev.metrics["weighted_f1"] = ev.report.weightedF1;
  } else {
    ev.metrics["perplexity"] = std::exp(ev.metrics["loss"]);
  }
  return ev;
}

}  // namespace fts
