#include "app/cli/CliTokenizer.h"

#include "core/data/DatasetLoader.h"
#include "core/text/TokenizerTraining.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace fts::cli {
namespace {

struct TrainTokenizerArgs {
  std::vector<std::string> inputs;
  int vocabSize = 8000;
  std::string out;
  std::string modelType = "unigram";
  double characterCoverage = 0.9995;
  bool noByteFallback = false;
  std::vector<std::string> userSymbols;
  bool hardVocabLimit = false;
  std::string textCol;
  std::string format = "auto";
  std::size_t maxFieldBytes = 1u << 20;
  int threads = 0;
  bool json = false;
};

int runTrainTokenizer(const TrainTokenizerArgs& a) {
  std::FILE* human = a.json ? stderr : stdout;
  data::LoadOptions options;
  options.textColumn = a.textCol;
  options.format = data::parseDataFormat(a.format).value_or(data::DataFormat::Auto);
  options.onError = data::ErrorPolicy::SkipAndReport;  // a tokenizer needs text, not every row
  options.task = data::DataTask::LanguageModel;        // labels are not text
  options.maxFieldBytes = a.maxFieldBytes;

  std::vector<std::string> texts;
  std::size_t skipped = 0;
  for (const auto& input : a.inputs) {
    try {
      data::LoadResult r = data::loadDataset(input, options);
      for (const auto& i : r.skipped) std::fprintf(stderr, "%s\n", i.format().c_str());
      skipped += r.skipped.size();
      std::fprintf(human, "%s: %zu texts (%s)\n", input.c_str(), r.dataset.samples.size(), data::toString(r.format));
      for (auto& s : r.dataset.samples) {
        texts.push_back(std::move(s.text));
        if (!s.response.empty()) texts.push_back(std::move(s.response));
      }
    } catch (const data::DataError& e) {
      for (const auto& i : e.issues()) std::fprintf(stderr, "%s\n", i.format().c_str());
      std::fprintf(stderr, "ftstudio tokenizer train: %s is not usable\n", input.c_str());
      return 2;
    }
  }
  if (skipped) std::fprintf(stderr, "%zu rows skipped (listed above)\n", skipped);

  TokenizerTrainOptions topt;
  topt.vocabSize = a.vocabSize;
  topt.modelType = a.modelType;
  topt.characterCoverage = a.characterCoverage;
  topt.byteFallback = !a.noByteFallback;
  topt.userSymbols = a.userSymbols;
  topt.hardVocabLimit = a.hardVocabLimit;
  topt.threads = a.threads;
  try {
    const TokenizerTrainReport rep = trainTokenizerIntoFolder(texts, topt, a.out);
    if (a.json) {
      nlohmann::ordered_json j;
      j["model"] = rep.modelFile.string();
      j["vocab_size"] = rep.vocabSize;
      j["requested_vocab_size"] = a.vocabSize;
      j["model_type"] = a.modelType;
      j["texts"] = texts.size();
      j["sentences"] = rep.sentences;
      j["skipped_rows"] = skipped;
      j["seconds"] = rep.seconds;
      std::cout << j.dump() << std::endl;
    } else {
      std::printf("tokenizer: %s (%d pieces, %s, %zu sentences, %.1f s)\n", rep.modelFile.c_str(), rep.vocabSize,
                  a.modelType.c_str(), rep.sentences, rep.seconds);
      if (rep.vocabSize > a.vocabSize && !a.hardVocabLimit)
        std::printf("note: the vocabulary grew from %d so every character of the text has a piece\n", a.vocabSize);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftstudio tokenizer train: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

void addTokenizerCommands(CLI::App& app, int& exitCode) {
  auto* tok = app.add_subcommand("tokenizer", "Train SentencePiece tokenizers");
  tok->require_subcommand(1);
  auto a = std::make_shared<TrainTokenizerArgs>();
  auto* cmd = tok->add_subcommand("train", "Train a SentencePiece tokenizer; writes DIR/tokenizer.model");
  cmd->add_option("--input", a->inputs, "Data or text files (CSV, TSV, JSONL, text, fortune, folder); repeatable")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--vocab-size", a->vocabSize, "Vocabulary size")->check(CLI::Range(8, 1 << 20))->capture_default_str();
  cmd->add_option("--out", a->out, "Output folder (gets tokenizer.model)")->required();
  cmd->add_option("--model-type", a->modelType, "unigram or bpe")->check(CLI::IsMember({"unigram", "bpe"}))->capture_default_str();
  cmd->add_option("--character-coverage", a->characterCoverage,
                  "Share of characters covered by pieces (0.9995 suits CJK; rarer ones fall back to bytes)")
      ->check(CLI::Range(0.5, 1.0))
      ->capture_default_str();
  cmd->add_flag("--no-byte-fallback", a->noByteFallback, "Map unknown characters to <unk> instead of byte pieces");
  cmd->add_option("--user-symbol", a->userSymbols, "A special token kept whole, e.g. <sep> (repeatable)");
  cmd->add_flag("--hard-vocab-limit", a->hardVocabLimit, "Fail instead of growing the vocabulary when the text needs more pieces");
  cmd->add_option("--text-col", a->textCol, "Column or field holding the text (default: detected)");
  cmd->add_option("--format", a->format, "Read inputs as this format instead of detecting it")
      ->check(CLI::IsMember({"auto", "csv", "tsv", "jsonl", "text", "lines", "folder", "fortune"}))
      ->capture_default_str();
  cmd->add_option("--max-field-bytes", a->maxFieldBytes, "Largest field (or line) accepted, in bytes")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "Training threads (0: all cores)")->capture_default_str();
  cmd->add_flag("--json", a->json, "Print the result as one JSON object on stdout");
  cmd->callback([a, &exitCode] {
    try {
      exitCode = runTrainTokenizer(*a);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ftstudio tokenizer train: %s\n", e.what());
      exitCode = 1;
    }
  });
}

}  // namespace fts::cli
