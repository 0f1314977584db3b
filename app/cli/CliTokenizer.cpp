#include "app/cli/CliTokenizer.h"

#include "core/data/DatasetLoader.h"
#include "core/text/Tokenizer.h"
#include "core/text/TokenizerTraining.h"
#include "core/util/AtomicFile.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string_view>

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

struct EncodeArgs {
  std::string model;
  std::string text;
  std::string file;
  bool json = false;
  bool special = false;
  bool stats = false;
  int threads = 0;
};

// The lines of a text file: split at '\n' (a '\r' before it stays, as Python's split('\n') keeps
// it); no line after a final newline.
std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

void printEncoding(const Tokenizer& tok, const std::vector<int>& ids, bool json) {
  std::vector<std::string> pieces;
  pieces.reserve(ids.size());
  for (const int id : ids) pieces.push_back(tok.piece(id));
  if (json) {
    nlohmann::ordered_json j;
    j["ids"] = ids;
    j["tokens"] = pieces;
    // A SentencePiece byte piece or a damaged vocabulary may hold bytes that are not UTF-8.
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return;
  }
  std::string idLine = "ids:", pieceLine = "pieces:";
  for (std::size_t k = 0; k < ids.size(); ++k) {
    idLine += ' ' + std::to_string(ids[k]);
    // JSON quoting shows spaces, newlines and empty pieces for what they are.
    pieceLine += ' ' + nlohmann::json(pieces[k]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::cout << idLine << '\n' << pieceLine << '\n';
}

int runEncode(const EncodeArgs& a) {
  if (a.text.empty() == a.file.empty()) {
    std::fprintf(stderr, "ftstudio tokenizer encode: give the text with --text or a file of lines with --file (one of them)\n");
    return 2;
  }
  std::unique_ptr<Tokenizer> tok;
  try {
    tok = loadTokenizer(a.model);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftstudio tokenizer encode: %s\n", e.what());
    return 2;
  }
  std::string contents;
  std::vector<std::string_view> texts;
  if (!a.file.empty()) {
    try {
      contents = readWholeFile(a.file);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ftstudio tokenizer encode: %s\n", e.what());
      return 2;
    }
    texts = splitLines(contents);
  } else {
    texts.push_back(a.text);
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<int>> encoded = tok->encodeMany(texts, a.threads);
  if (a.special)
    for (auto& ids : encoded) ids = tok->addSpecialTokens(ids);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& ids : encoded) printEncoding(*tok, ids, a.json);
  std::cout.flush();
  if (a.stats) {
    std::size_t tokens = 0, bytes = 0;
    for (const auto& ids : encoded) tokens += ids.size();
    for (const auto t : texts) bytes += t.size();
    std::fprintf(stderr, "%s tokenizer: %zu lines, %zu bytes, %zu tokens in %.3f s: %.0f tokens/s\n", tokenizerKindName(tok->kind()).c_str(),
                 texts.size(), bytes, tokens, seconds, seconds > 0 ? tokens / seconds : 0.0);
  }
  return 0;
}

}  // namespace

void addTokenizerCommands(CLI::App& app, int& exitCode) {
  auto* tok = app.add_subcommand("tokenizer", "Train SentencePiece tokenizers; encode text with any model's tokenizer");
  tok->require_subcommand(1);
  auto e = std::make_shared<EncodeArgs>();
  auto* encode = tok->add_subcommand(
      "encode", "Print the token ids and pieces of a text: tokenizer.model (SentencePiece) or tokenizer.json (WordPiece, byte-level BPE)");
  encode->add_option("MODEL_DIR", e->model, "A model folder, or a tokenizer.model / tokenizer.json file")->required();
  encode->add_option("--text", e->text, "The text to encode");
  encode->add_option("--file", e->file, "A text file: each line is encoded on its own");
  encode->add_flag("--json", e->json, "One JSON object per text: {\"ids\": [...], \"tokens\": [...]}");
  encode->add_flag("--special", e->special, "Add the special tokens the tokenizer frames a sequence with ([CLS]/[SEP], BOS)");
  encode->add_option("--threads", e->threads, "Encoding threads for --file (0: all cores)")->capture_default_str();
  encode->add_flag("--stats", e->stats, "Print lines, tokens and tokens per second (encoding only) on stderr");
  encode->callback([e, &exitCode] {
    try {
      exitCode = runEncode(*e);
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "ftstudio tokenizer encode: %s\n", ex.what());
      exitCode = 1;
    }
  });
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
