#include "core/train/ModelSetup.h"

#include "core/io/BertHfFolder.h"
#include "core/io/HfModelFolder.h"
#include "core/train/BertTaskModel.h"
#include "core/train/LlamaTaskModel.h"
#include "core/model/Lora.h"
#include "core/text/TokenizerTraining.h"
#include "core/util/AtomicFile.h"

#include <torch/torch.h>

#include <algorithm>
#include <sstream>

namespace fts {
namespace {

void log(RunRecorder& events, const std::string& msg, LogEvent::Level level = LogEvent::Level::Info) {
  events.push(LogEvent{level, msg});
}

std::vector<std::string> splitSymbols(const std::string& commaSeparated) {
  std::vector<std::string> out;
  std::stringstream in(commaSeparated);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// Every n-th line when the corpus has more lines than the tokenizer should see: SentencePiece's own
// sampling would draw at random; this keeps the choice deterministic and spread over all sources.
std::vector<std::string> sampleLines(std::vector<std::string> lines, int maxLines) {
  if (maxLines <= 0 || lines.size() <= static_cast<std::size_t>(maxLines)) return lines;
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(maxLines));
  const double stride = static_cast<double>(lines.size()) / maxLines;
  for (int i = 0; i < maxLines; ++i) out.push_back(std::move(lines[static_cast<std::size_t>(i * stride)]));
  return out;
}

}  // namespace

HeadKind headFor(bool classification) { return classification ? HeadKind::SequenceClassification : HeadKind::CausalLM; }

ModelSetup modelFromScratch(const TrainConfig& cfg, const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                            int threads, const std::filesystem::path& runDir, RunRecorder& events) {
  if (cfg.tokenizer.type != "unigram" && cfg.tokenizer.type != "bpe")
    throw JobFailed("tokenizer.type must be unigram or bpe, not '" + cfg.tokenizer.type + "'");
  if (cfg.tokenizer.character_coverage <= 0 || cfg.tokenizer.character_coverage > 1)
    throw JobFailed("tokenizer.character_coverage must be in (0, 1]; 0.9995 suits CJK text");
  TokenizerTrainOptions topt;
  topt.vocabSize = cfg.model.vocab_size;
  topt.modelType = cfg.tokenizer.type;
  topt.characterCoverage = cfg.tokenizer.character_coverage;
  topt.byteFallback = cfg.tokenizer.byte_fallback;
  topt.userSymbols = splitSymbols(cfg.tokenizer.user_symbols);
  topt.threads = threads;
  const std::vector<std::string> sentences = sampleLines(tokenizerSentences(texts, static_cast<std::size_t>(topt.maxSentenceLength)),
                                                         cfg.tokenizer.max_sentences);
  log(events, "training a SentencePiece " + topt.modelType + " tokenizer (" + std::to_string(topt.vocabSize) + " pieces) on " +
                  std::to_string(sentences.size()) + " lines");
  ModelSetup s;
  s.tokenizer = std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::train(sentences, topt, runDir / "tokenizer.model"));
  log(events, "tokenizer: " + std::to_string(s.tokenizer->vocabSize()) + " pieces");
  LlamaConfig mc;
  mc.vocab_size = s.tokenizer->vocabSize();
  mc.hidden_size = cfg.model.hidden_size;
  mc.intermediate_size = cfg.model.ffn_size;
  mc.num_hidden_layers = cfg.model.layers;
  mc.num_attention_heads = cfg.model.heads;
  mc.num_key_value_heads = cfg.model.kv_heads;
  mc.tie_word_embeddings = cfg.model.tie_embeddings;
  mc.max_position_embeddings = std::max(cfg.model.max_positions > 0 ? cfg.model.max_positions : cfg.data.max_len, 16);
  mc.hidden_dropout = cfg.model.dropout;
  mc.pad_token_id = SentencePieceTokenizer::kPad;
  mc.id2label = labels;
  try {
    mc.validate();
  } catch (const std::invalid_argument& e) {
    throw JobFailed(std::string("model settings: ") + e.what());
  }
  LlamaForTask model(mc, headFor(!labels.empty()));
  initLlamaWeights(*model, static_cast<uint64_t>(cfg.train.seed));
  s.model = std::make_unique<LlamaTaskModel>(model);
  return s;
}

namespace {

std::string storedDtypes(const HfLoadReport& report) {
  std::string stored;
  for (const auto& d : report.storedDtypes) stored += (stored.empty() ? "" : ",") + d;
  return stored;
}

// A sentence-transformers folder says how its embeddings were pooled (1_Pooling/config.json); its
// BERT pooler was never trained for classification, so mean pooling is what its training saw.
bool sentenceTransformersMeanPooling(const std::filesystem::path& base) {
  const auto file = base / "1_Pooling" / "config.json";
  if (!std::filesystem::is_regular_file(file)) return false;
  return readWholeFile(file).find("\"pooling_mode_mean_tokens\": true") != std::string::npos;
}

ModelSetup bertFromBase(const TrainConfig& cfg, const std::vector<std::string>& labels, bool classification,
                        const std::filesystem::path& base, std::unique_ptr<Tokenizer> tokenizer, RunRecorder& events) {
  BertConfig bc = loadBertHfConfig(base);
  if (!classification) {
    if (cfg.task != "mlm")
      throw JobFailed(base.string() + ": is a BERT encoder, which cannot be trained as a causal language model; "
                      "train it on labelled data (classification) or as a masked LM (--task mlm), or choose a decoder");
    bc.id2label.clear();
    if (cfg.data.max_len > bc.max_position_embeddings)
      throw JobFailed("data.max_len " + std::to_string(cfg.data.max_len) + " exceeds the encoder's max_position_embeddings " +
                      std::to_string(bc.max_position_embeddings) + ": lower data.max_len");
    BertForMaskedLM model(bc);
    initBertWeights(*model, bc.pad_token_id, static_cast<uint64_t>(cfg.train.seed));  // the head, if the folder lacks it
    HfLoadOptions opts;
    opts.allowMissingHead = true;
    const BertLoadReport report = loadBertHfWeights(model, findHfModelFiles(base), opts);
    log(events, "base model " + base.string() + ": " + std::to_string(report.tensorsLoaded) + " tensors (" + storedDtypes(report) +
                    "), masked-LM head" + (report.headKeptInitialised.empty() ? " from the folder" : " new (the folder has none)"));
    ModelSetup s;
    s.tokenizer = std::move(tokenizer);
    s.model = std::make_unique<BertTaskModel>(model);
    return s;
  }
  bc.id2label = labels;
  bc.hidden_dropout_prob = cfg.model.dropout > 0 ? cfg.model.dropout : bc.hidden_dropout_prob;
  const std::string pooling = cfg.model.pooling;
  if (pooling != "auto" && pooling != "pooler" && pooling != "mean")
    throw JobFailed("model.pooling must be auto, pooler or mean, not '" + pooling + "'");
  bc.classifier_pooling = pooling == "auto" ? (sentenceTransformersMeanPooling(base) ? "mean" : "pooler") : pooling;
  if (cfg.data.max_len > bc.max_position_embeddings)
    throw JobFailed("data.max_len " + std::to_string(cfg.data.max_len) + " exceeds the encoder's max_position_embeddings " +
                    std::to_string(bc.max_position_embeddings) + ": lower data.max_len");
  BertForSequenceClassification model(bc);
  initBertWeights(*model, bc.pad_token_id, static_cast<uint64_t>(cfg.train.seed));  // the head, which the base lacks
  HfLoadOptions opts;
  opts.allowMissingHead = true;
  const BertLoadReport report = loadBertHfWeights(model, findHfModelFiles(base), opts);
  log(events, "base model " + base.string() + ": " + std::to_string(report.tensorsLoaded) + " tensors (" + storedDtypes(report) +
                  "), classifier pooling: " + bc.classifier_pooling +
                  (report.headKeptInitialised.empty() ? "" : ", new head " + report.headKeptInitialised.front()));
  ModelSetup s;
  s.tokenizer = std::move(tokenizer);
  s.model = std::make_unique<BertTaskModel>(model);
  return s;
}

}  // namespace

ModelSetup modelFromBase(const TrainConfig& cfg, const std::vector<std::string>& labels, bool classification,
                         const std::filesystem::path& runDir, RunRecorder& events) {
  const std::filesystem::path base = cfg.model.base;
  const HfModelFiles files = findHfModelFiles(base);
  if (isBertHfFolder(base)) {
    const BertConfig bc = loadBertHfConfig(base);
    auto tokenizer = loadHfTokenizer(base, bc.vocab_size);
    tokenizer->saveFiles(runDir);
    return bertFromBase(cfg, labels, classification, base, std::move(tokenizer), events);
  }
  if (cfg.task == "mlm")
    throw JobFailed(base.string() + ": is a decoder; the masked-LM objective (--task mlm) is for BERT-family encoders: "
                    "train a decoder with --task lm");
  LlamaConfig mc = loadHfConfig(base);
  ModelSetup s;
  s.tokenizer = loadHfTokenizer(base, mc.vocab_size);
  s.tokenizer->saveFiles(runDir);
  mc.id2label = labels;
  mc.hidden_dropout = cfg.model.dropout;
  // Right padding with a pad id that never occurs inside a text: the tokenizer's, else unk, else EOS
  // (byte-level BPE vocabularies have neither; padded positions are masked, so any id serves).
  const Tokenizer& tok = *s.tokenizer;
  mc.pad_token_id = tok.padId() >= 0 ? tok.padId() : tok.unkId() >= 0 ? tok.unkId() : std::max(0, tok.eosId());
  if (cfg.data.max_len > mc.max_position_embeddings)
    log(events, "data.max_len " + std::to_string(cfg.data.max_len) + " exceeds the base model's max_position_embeddings " +
                    std::to_string(mc.max_position_embeddings) + ": positions beyond it were never trained", LogEvent::Level::Warning);
  LlamaForTask model(mc, headFor(classification));
  initLlamaWeights(*model, static_cast<uint64_t>(cfg.train.seed));  // the head, if the base has none
  HfLoadOptions opts;
  opts.allowMissingHead = true;
  const HfLoadReport report = loadHfWeights(model, files, opts);
  log(events, "base model " + base.string() + ": " + std::to_string(report.tensorsLoaded) + " tensors (" + storedDtypes(report) + ")" +
                  (report.headKeptInitialised.empty() ? "" : ", new head " + report.headKeptInitialised.front()));
  s.model = std::make_unique<LlamaTaskModel>(model);
  return s;
}

std::unique_ptr<TaskModel> taskModelFromConfig(const std::filesystem::path& configJson) {
  const std::string text = readWholeFile(configJson);
  if (BertConfig::modelTypeOf(text, configJson.string()) == "bert") {
    const BertConfig bc = BertConfig::load(configJson);
    if (bc.id2label.empty()) return std::make_unique<BertTaskModel>(BertForMaskedLM(bc));
    return std::make_unique<BertTaskModel>(BertForSequenceClassification(bc));
  }
  const LlamaConfig mc = LlamaConfig::load(configJson);
  return std::make_unique<LlamaTaskModel>(LlamaForTask(mc, headFor(!mc.id2label.empty())));
}

std::unique_ptr<TaskModel> loadTaskModel(const std::filesystem::path& folder) {
  const HfModelFiles files = findHfModelFiles(folder);
  if (isBertHfFolder(folder)) {
    const BertConfig bc = loadBertHfConfig(folder);
    if (bc.id2label.empty()) {
      BertForMaskedLM m(bc);
      loadBertHfWeights(m, files);
      return std::make_unique<BertTaskModel>(m);
    }
    BertForSequenceClassification m(bc);
    loadBertHfWeights(m, files);
    return std::make_unique<BertTaskModel>(m);
  }
  const LlamaConfig mc = loadHfConfig(folder);
  LlamaForTask m(mc, headFor(!mc.id2label.empty()));
  loadHfWeights(m, files);
  return std::make_unique<LlamaTaskModel>(m);
}

ModelSetup modelForResume(const std::filesystem::path& runDir, bool /*classification*/) {
  ModelSetup s;
  s.tokenizer = loadTokenizer(runDir);
  s.model = taskModelFromConfig(runDir / "config.json");
  return s;
}

std::vector<NamedParam> trainableParams(TaskModel& model, const TrainConfig& cfg, RunRecorder& events) {
  const int layers = static_cast<int>(model.shape().layers);
  if (cfg.model.freeze_layers > layers)
    throw JobFailed("model.freeze_layers is " + std::to_string(cfg.model.freeze_layers) + " but the model has " +
                    std::to_string(layers) + " layers");
  const std::vector<std::string> embeddings = model.embeddingPrefixes();
  auto frozen = [&](const std::string& name) {
    if (cfg.model.freeze_embeddings)
      for (const auto& prefix : embeddings)
        if (name.rfind(prefix, 0) == 0) return true;
    for (int i = 0; i < cfg.model.freeze_layers; ++i)
      if (name.rfind(model.layerPrefix(i), 0) == 0) return true;
    return false;
  };
  // With LoRA, attachLora already chose what trains (adapters and a classifier head).
  const bool lora = model.hasLora();
  std::vector<NamedParam> out;
  int nFrozen = 0;
  for (auto& p : model.module().named_parameters()) {
    if (frozen(p.key())) {
      p.value().set_requires_grad(false);
      ++nFrozen;
      continue;
    }
    if (!lora) p.value().set_requires_grad(true);
    if (p.value().requires_grad()) out.push_back(NamedParam{p.key(), p.value(), p.value().dim() >= 2, 1.0});
  }
  if (nFrozen) log(events, "frozen: " + std::to_string(nFrozen) + " tensors (embeddings: " + (cfg.model.freeze_embeddings ? "yes" : "no") +
                               ", first layers: " + std::to_string(cfg.model.freeze_layers) + ")");
  return out;
}

}  // namespace fts
