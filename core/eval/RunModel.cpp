#include "core/eval/RunModel.h"

#include "core/baseline/TextClassBaseline.h"
#include "core/io/HfModelFolder.h"
#include "core/model/LlamaModules.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/train/Checkpoint.h"
#include "core/train/Evaluation.h"
#include "core/train/LlamaTaskModel.h"
#include "core/train/LoraSettings.h"
#include "core/train/ModelSetup.h"
#include "core/train/SampleEncoding.h"
#include "core/util/AtomicFile.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>

namespace fts {
namespace fs = std::filesystem;

struct RunModel::Impl {
  std::unique_ptr<TaskModel> model;  // a decoder or an encoder
  std::unique_ptr<Tokenizer> tokenizer;
  std::string source;
  std::optional<TextClassBaseline> baseline;  // a baseline run: no network at all

  data::Truncation truncation = data::Truncation::KeepHead;  // the run's data.truncation
  ChatFormat chat = ChatFormat::None;  // the tokenizer's chat format: prompts become a user turn

  int bos() const { return tokenizer->bosId() >= 0 ? tokenizer->bosId() : SentencePieceTokenizer::kBos; }
  int eos() const { return tokenizer->eosId() >= 0 ? tokenizer->eosId() : SentencePieceTokenizer::kEos; }
  std::vector<int64_t> ids(const std::string& text, int maxLen, bool addEos) const {
    EncodingOptions o;
    o.maxLen = std::max(3, maxLen);
    o.truncation = truncation;
    o.bos = bos();
    o.eos = eos();
    const std::vector<int> framed = frameTokens(tokenizer->encode(text), o, addEos);
    return {framed.begin(), framed.end()};
  }
};

namespace {

Evaluation evaluateBaseline(const TextClassBaseline& b, const fs::path& dataFile, const data::LoadOptions& options) {
  const data::Dataset ds = data::loadDataset(dataFile, options).dataset;
  std::map<std::string, int> ids;
  for (std::size_t i = 0; i < b.classNames().size(); ++i) ids[b.classNames()[i]] = static_cast<int>(i);
  std::vector<int> truth, predicted;
  double nll = 0;
  for (const auto& s : ds.samples) {
    const auto it = ids.find(s.label);
    if (it == ids.end())
      throw std::runtime_error(dataFile.string() + ":" + std::to_string(s.line) + ": label '" + s.label + "' is not one this model knows");
    const auto p = b.probabilities(s.text);
    truth.push_back(it->second);
    predicted.push_back(static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()));
    nll -= std::log(std::max(p[static_cast<std::size_t>(it->second)], 1e-12));
  }
  Evaluation ev;
  ev.samples = static_cast<std::int64_t>(ds.samples.size());
  ev.labels = b.classNames();
  ev.report = classificationReport(truth, predicted, static_cast<int>(b.classNames().size()));
  ev.metrics["loss"] = ds.samples.empty() ? 0 : nll / static_cast<double>(ds.samples.size());
  ev.metrics["accuracy"] = ev.report.accuracy;
  ev.metrics["macro_f1"] = ev.report.macroF1;
  ev.metrics["weighted_f1"] = ev.report.weightedF1;
  return ev;
}

}  // namespace

RunModel::RunModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunModel::RunModel(RunModel&&) noexcept = default;
RunModel& RunModel::operator=(RunModel&&) noexcept = default;
RunModel::~RunModel() = default;

RunModel RunModel::load(const fs::path& folder) {
  auto impl = std::make_unique<Impl>();
  if (fs::exists(folder / "baseline.json")) {
    impl->baseline = TextClassBaseline::fromJson(readWholeFile(folder / "baseline.json"), (folder / "baseline.json").string());
    impl->source = (folder / "baseline.json").string();
    return RunModel(std::move(impl));
  }
  fs::path hf = folder / "model";
  if (!fs::exists(hf / "config.json") && fs::exists(folder / "config.json") && fs::exists(folder / "model.safetensors")) hf = folder;
  if (fs::exists(hf / "config.json") && (fs::exists(hf / "model.safetensors") || fs::exists(hf / "model.safetensors.index.json"))) {
    impl->model = loadTaskModel(hf);
    impl->tokenizer = loadHfTokenizer(hf, impl->model->shape().vocab);
    impl->source = hf.string();
  } else {
    // A run that has not finished: its best weights, else its newest checkpoint.
    fs::path ckpt = bestCheckpointDir(folder);
    if (!fs::exists(ckpt / "model.safetensors")) {
      const auto latest = latestCheckpoint(folder);
      if (!latest) throw std::runtime_error(folder.string() + ": holds no model yet (no model/ folder and no checkpoint)");
      ckpt = *latest;
    }
    impl->tokenizer = loadTokenizer(folder);
    impl->model = taskModelFromConfig(folder / "config.json");
    // A LoRA run's checkpoints hold its adapters: attach them as the run did before reading.
    if (fs::exists(folder / "train_config.json")) {
      const TrainConfig cfg = TrainConfig::fromJson(readWholeFile(folder / "train_config.json"), (folder / "train_config.json").string());
      if (cfg.model.lora_rank > 0) impl->model->attachLora(loraConfigOf(cfg), 0);
    }
    loadCheckpoint(ckpt, impl->model->module(), nullptr);
    impl->source = ckpt.string();
  }
  // A run folder says how its texts were cut to fit; an HF folder alone keeps the head.
  if (fs::exists(folder / "train_config.json")) {
    const TrainConfig cfg = TrainConfig::fromJson(readWholeFile(folder / "train_config.json"), (folder / "train_config.json").string());
    data::parseTruncation(cfg.data.truncation, impl->truncation);
  }
  impl->model->module().eval();
  impl->chat = detectChatFormat(impl->tokenizer->chatTemplate());
  return RunModel(std::move(impl));
}

bool RunModel::isClassifier() const { return impl_->baseline || impl_->model->head() == TaskHead::SequenceClassification; }
std::string RunModel::source() const { return impl_->source; }

Prediction RunModel::predict(const std::string& text, const GenerationOptions& gen) const {
  if (impl_->baseline) {
    Prediction out;
    const auto p = impl_->baseline->probabilities(text);
    for (std::size_t c = 0; c < p.size(); ++c) out.scores.emplace_back(impl_->baseline->classNames()[c], p[c]);
    std::sort(out.scores.begin(), out.scores.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    out.label = out.scores.front().first;
    return out;
  }
  torch::NoGradGuard noGrad;
  TaskModel& task = *impl_->model;
  const ModelShape shape = task.shape();
  Prediction out;
  if (isClassifier()) {
    const auto ids = impl_->ids(text, static_cast<int>(shape.maxPositions), true);
    auto input = torch::tensor(ids, torch::kInt64).unsqueeze(0);  // [1,T]
    auto logits = task.classLogits(task.embed(input), torch::tensor({static_cast<int64_t>(ids.size())}));  // [1,C]
    auto probs = torch::softmax(logits.to(torch::kFloat32), -1)[0];  // [C]
    const auto labels = task.labels();
    for (size_t c = 0; c < labels.size(); ++c) out.scores.emplace_back(labels[c], probs[static_cast<int64_t>(c)].item<double>());
    std::sort(out.scores.begin(), out.scores.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    out.label = out.scores.front().first;
    return out;
  }
  LlamaForTask* decoder = llamaOf(task);
  if (!decoder) throw std::invalid_argument(impl_->source + ": a " + task.architecture() + " does not generate text");
  auto& model = *decoder;
  const auto& config = model->model->config;
  // Causal LM: extend the prompt token by token (no KV cache yet: fine for short continuations). An
  // instruction-tuned decoder gets the prompt as a user turn and answers in the assistant turn.
  std::vector<int64_t> ids;
  if (impl_->chat != ChatFormat::None) {
    if (chatStartsWithBos(impl_->chat) && impl_->tokenizer->bosId() >= 0) ids.push_back(impl_->tokenizer->bosId());
    for (int id : impl_->tokenizer->encode(chatPrompt(impl_->chat, text))) ids.push_back(id);
  } else {
    ids = impl_->ids(text, config.max_position_embeddings, false);
  }
  const int endOfTurn = chatEndOfTurnId(impl_->chat, *impl_->tokenizer);
  const size_t prompt = ids.size();
  auto gen64 = at::detail::createCPUGenerator(gen.seed);
  for (int i = 0; i < gen.maxNewTokens; ++i) {
    const int64_t start = std::max<int64_t>(0, static_cast<int64_t>(ids.size()) - config.max_position_embeddings);
    auto input = torch::tensor(std::vector<int64_t>(ids.begin() + start, ids.end()), torch::kInt64).unsqueeze(0);
    auto logits = model->lmLogits(model->model->forwardEmbeds(model->model->embed(input)))[0][-1].to(torch::kFloat32).contiguous();  // [V]
    if (gen.repetitionPenalty != 1.0) {
      // CTRL (Keskar et al. 2019): divide a seen token's positive logit by the penalty, multiply a negative one.
      float* l = logits.data_ptr<float>();
      std::vector<bool> seen(static_cast<std::size_t>(logits.size(0)), false);
      for (int64_t id : ids)
        if (id >= 0 && id < logits.size(0) && !seen[static_cast<std::size_t>(id)]) {
          seen[static_cast<std::size_t>(id)] = true;
          l[id] = l[id] > 0 ? static_cast<float>(l[id] / gen.repetitionPenalty) : static_cast<float>(l[id] * gen.repetitionPenalty);
        }
    }
    int64_t next;
    if (gen.temperature <= 0) {
      next = logits.argmax().item<int64_t>();
    } else {
      auto scaled = logits / gen.temperature;
      if (gen.topK > 0 && gen.topK < scaled.size(0)) {
        // Everything below the k-th largest logit gets no chance at all.
        const auto kth = std::get<0>(scaled.topk(gen.topK)).min();
        scaled = scaled.masked_fill(scaled < kth, -std::numeric_limits<float>::infinity());
      }
      auto probs = torch::softmax(scaled, -1);
      next = torch::multinomial(probs, 1, false, gen64).item<int64_t>();
    }
    if (next == impl_->tokenizer->eosId() || (endOfTurn >= 0 && next == endOfTurn)) break;
    ids.push_back(next);
  }
  // Decoding the new ids alone would drop the space that starts the first of them (SentencePiece
  // strips a leading "\u2581"), printing "unto" + "the" as "untothe": decode everything and cut
  // the decoded prompt off the front instead.
  const std::string all = impl_->tokenizer->decode(std::vector<int>(ids.begin(), ids.end()));
  const std::string head = impl_->tokenizer->decode(std::vector<int>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(prompt)));
  out.continuation = all.compare(0, head.size(), head) == 0
                         ? all.substr(head.size())
                         : impl_->tokenizer->decode(std::vector<int>(ids.begin() + static_cast<std::ptrdiff_t>(prompt), ids.end()));
  return out;
}

Evaluation RunModel::evaluate(const fs::path& dataFile, const data::LoadOptions& options, int maxLen, bool pack) const {
  if (impl_->baseline) return evaluateBaseline(*impl_->baseline, dataFile, options);
  if (pack && isClassifier()) throw std::invalid_argument("packed evaluation is for causal language models, not classifiers");
  TaskModel& model = *impl_->model;
  const ModelShape shape = model.shape();
  const std::vector<std::string> id2label = model.labels();
  const data::Dataset ds = data::loadDataset(dataFile, options).dataset;
  Evaluation ev;
  ev.samples = static_cast<std::int64_t>(ds.samples.size());
  std::map<std::string, int> labelIds;
  for (size_t i = 0; i < id2label.size(); ++i) labelIds[id2label[i]] = static_cast<int>(i);
  if (isClassifier())
    for (const auto& s : ds.samples)
      if (!labelIds.count(s.label))
        throw std::runtime_error(dataFile.string() + ":" + std::to_string(s.line) + ": label '" + s.label + "' is not one this model knows");
  // The same framing as training: BOS, the text cut by the run's truncation, EOS; pairs score the
  // response only.
  EncodingOptions eo;
  eo.maxLen = std::min<int>(maxLen, static_cast<int>(shape.maxPositions));
  eo.truncation = impl_->truncation;
  eo.bos = impl_->bos();
  eo.eos = impl_->eos();
  eo.chat = impl_->chat;  // pairs scored in the chat format training used
  if (const int end = chatEndOfTurnId(eo.chat, *impl_->tokenizer); end >= 0) eo.eos = end;
  std::vector<std::size_t> rows(ds.samples.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const EncodedSet set = pack ? packSamples(ds, rows, *impl_->tokenizer, eo)
                              : encodeSamples(ds, rows, *impl_->tokenizer, isClassifier() ? labelIds : std::map<std::string, int>{}, eo);
  const EvalResult r = evaluateSet(model, set, 32, shape.padId);
  ev.metrics["loss"] = r.loss;
  if (isClassifier()) {
    ev.labels = id2label;
    ev.report = classificationReport(r.truth, r.predicted, static_cast<int>(id2label.size()));
    ev.metrics["accuracy"] = ev.report.accuracy;
    ev.metrics["macro_f1"] = ev.report.macroF1;
    ev.metrics["weighted_f1"] = ev.report.weightedF1;
  } else {
    ev.metrics["perplexity"] = std::exp(r.loss);
  }
  return ev;
}

}  // namespace fts
