#include "app/cli/CliAugment.h"

#include "core/augment/Augmenter.h"
#include "core/augment/DatasetAugmentation.h"
#include "core/augment/UserSynonyms.h"
#include "core/augment/WordNet.h"
#include "core/augment/WordVectors.h"
#include "core/data/DatasetLoader.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace fts::cli {
namespace {

using Json = nlohmann::ordered_json;

struct AugmentArgs {
  std::string data, out, log, ops = "sr=0.1,ri=0.1,rs=0.1,rd=0.1", synonyms = "wordnet", vectors, protect;
  std::string wordnetDir = augment::WordNet::kDebianFolder, language = "auto", textColumn, labelColumn;
  int n = 4, threads = 1, previewCount = 3, vectorNeighbours = 10;
  std::uint64_t seed = 0;
  double maxShare = 0.5, minCosine = 0.7;
  bool noOriginals = false, json = false, preview = false;
};

// ANSI colours per operation for the terminal preview.
const char* colourOf(augment::Operation op) {
  switch (op) {
    case augment::Operation::SynonymReplacement: return "\x1b[32m";  // green
    case augment::Operation::RandomInsertion: return "\x1b[36m";     // cyan
    case augment::Operation::RandomSwap: return "\x1b[33m";          // yellow
    case augment::Operation::RandomDeletion: return "\x1b[31m";      // red
    case augment::Operation::Punctuation: return "\x1b[35m";         // magenta
    default: return "\x1b[34m";                                      // blue
  }
}

std::string_view trimSpaces(std::string_view s, bool& leading, bool& trailing) {
  leading = !s.empty() && s.front() == ' ';
  trailing = !s.empty() && s.back() == ' ';
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The source with each edit marked: [old->new] in plain text, colours on a terminal (the new token
// in the operation's colour, a removed token struck through in red).
std::string markChanges(std::string_view source, const augment::Variant& v, bool colour) {
  std::string out;
  std::size_t at = 0;
  for (const auto& e : v.log.edits) {
    out.append(source.substr(at, e.sourceBegin - at));
    bool oldLead, oldTrail, newLead, newTrail;
    const auto oldTok = trimSpaces(e.oldToken, oldLead, oldTrail);
    const auto newTok = trimSpaces(e.newToken, newLead, newTrail);
    if (oldLead || newLead) out.push_back(' ');
    if (colour) {
      if (!oldTok.empty()) out += "\x1b[9;31m" + std::string(oldTok) + "\x1b[0m";
      if (!newTok.empty()) out += std::string(colourOf(e.op)) + "\x1b[1m" + std::string(newTok) + "\x1b[0m";
    } else {
      out += "[" + std::string(oldTok) + "->" + std::string(newTok) + "]";
    }
    if (oldTrail || newTrail) out.push_back(' ');
    at = e.sourceEnd;
  }
  out.append(source.substr(at));
  return out;
}

augment::Language parseLanguage(const std::string& s) {
  if (s == "en") return augment::Language::English;
  if (s == "zh") return augment::Language::Chinese;
  return augment::Language::Auto;
}

// The synonym sources the options name; throws with FILE:LINE for a bad file.
augment::SynonymSources loadSynonyms(const AugmentArgs& a) {
  augment::SynonymSources sources;
  if (a.synonyms == "wordnet") {
    auto wn = std::make_shared<const augment::WordNet>(augment::WordNet::load(a.wordnetDir));
    sources.add(std::make_shared<augment::WordNetSynonyms>(wn));
  } else if (a.synonyms == "embedding") {
    throw std::runtime_error("--synonyms embedding (neighbours in the model's token embeddings) needs a loaded model: "
                             "not available in `ftstudio augment` yet; use wordnet, a synonym file or --vectors");
  } else if (a.synonyms != "none" && !a.synonyms.empty()) {
    sources.add(augment::UserSynonyms::load(a.synonyms));
  }
  if (!a.vectors.empty()) {
    auto vectors = augment::WordVectors::loadWord2VecText(a.vectors);
    sources.add(std::make_shared<augment::NeighbourSynonyms>(vectors, a.vectorNeighbours, static_cast<float>(a.minCosine)));
  }
  return sources;
}

int runAugment(const AugmentArgs& a) {
  const auto started = std::chrono::steady_clock::now();
  augment::AugmentOptions options;
  try {
    options.ops = augment::parseOperations(a.ops);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "ftstudio augment: --ops: %s\n", e.what());
    return 2;
  }
  options.variants = a.n;
  options.language = parseLanguage(a.language);
  options.maxChangedShare = a.maxShare;
  options.protect.regex = a.protect;

  augment::AugmentResources resources;
  resources.synonyms = loadSynonyms(a);
  resources.english = augment::StopWords::shipped("en");
  resources.chinese = augment::StopWords::shipped("zh");
  const augment::Augmenter augmenter(options, std::move(resources));

  augment::DatasetAugmentOptions d;
  d.load.onError = data::ErrorPolicy::StopAtFirst;
  d.load.textColumn = a.textColumn;
  d.load.labelColumn = a.labelColumn;
  d.seed = a.seed;
  d.keepOriginals = !a.noOriginals;
  d.threads = a.threads;
  d.logFile = a.log;

  if (a.preview) {
    const auto loaded = data::loadDataset(a.data, d.load);
    const bool colour = isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    Json samples = Json::array();
    const std::size_t count = std::min<std::size_t>(a.previewCount, loaded.dataset.samples.size());
    for (std::size_t i = 0; i < count; ++i) {
      const auto& s = loaded.dataset.samples[i];
      const auto variants = augmenter.augment(s.text, {a.seed, 0, s.line > 0 ? s.line : static_cast<std::int64_t>(i + 1)});
      if (a.json) {
        Json vs = Json::array();
        for (const auto& v : variants) vs.push_back(Json::parse(augment::toJsonLine(v)));
        samples.push_back({{"where", loaded.dataset.where(i)}, {"text", s.text}, {"variants", vs}});
        continue;
      }
      std::printf("%s%s%s\n  %s\n", colour ? "\x1b[1m" : "", loaded.dataset.where(i).c_str(), colour ? "\x1b[0m" : "", s.text.c_str());
      for (const auto& v : variants)
        std::printf("  %-5s %s\n", augment::opsLabel(v.ops).c_str(), markChanges(s.text, v, colour).c_str());
      if (variants.empty()) std::printf("  (no variant: no synonym found, or too few words that may change)\n");
    }
    if (a.json) std::cout << Json({{"preview", samples}}).dump() << std::endl;
    return 0;
  }

  if (a.out.empty()) {
    std::fprintf(stderr, "ftstudio augment: --out FILE is required (or --preview to look at a few samples)\n");
    return 2;
  }
  d.progress = [json = a.json](std::size_t done, std::size_t total) {
    if (!json && isatty(STDERR_FILENO)) std::fprintf(stderr, "\raugmenting: %zu / %zu samples", done, total);
  };
  const auto r = augment::augmentDataFile(a.data, a.out, augmenter, d);
  if (!a.json && isatty(STDERR_FILENO)) std::fprintf(stderr, "\n");
  const auto ext = std::filesystem::path(a.out).extension().string();
  if (r.outputFormat == data::DataFormat::Jsonl && ext != ".jsonl" && ext != ".ndjson")
    std::fprintf(stderr, "ftstudio augment: note: %s holds JSONL (%s input keeps its source_row and augment_ops there): "
                         "name it .jsonl so it reads back as JSONL\n", a.out.c_str(), data::toString(r.inputFormat));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (a.json) {
    Json j;
    j["data"] = a.data;
    j["out"] = r.output.string();
    j["log"] = r.log.string();
    j["format"] = data::toString(r.outputFormat);
    j["ops"] = augment::formatOperations(options.ops);
    j["n"] = a.n;
    j["seed"] = a.seed;
    j["source_rows"] = r.sourceRows;
    j["variants"] = r.variants;
    j["rows_written"] = r.rowsWritten;
    j["samples_short"] = r.samplesShort;
    j["per_op"] = r.perOp;
    j["seconds"] = seconds;
    std::cout << j.dump() << std::endl;
  } else {
    std::printf("wrote %s (%s): %zu rows, %zu variants of %zu samples", r.output.c_str(), data::toString(r.outputFormat),
                r.rowsWritten, r.variants, r.sourceRows);
    for (const auto& [op, count] : r.perOp) std::printf(", %s %zu", op.c_str(), count);
    std::printf("\nchange log: %s\n", r.log.c_str());
    if (r.samplesShort)
      std::printf("%zu samples got fewer than %d variants (too few words that may change)\n", r.samplesShort, a.n);
  }
  return 0;
}

}  // namespace

void addAugmentCommand(CLI::App& app, int& exitCode) {
  auto args = std::make_shared<AugmentArgs>();
  auto* cmd = app.add_subcommand("augment", "Augment a data file (EDA, AEDA, character noise), every change logged");
  cmd->add_option("--data", args->data, "Input data file (CSV, TSV, JSONL, text lines, fortune, folder)")->required();
  cmd->add_option("--ops", args->ops,
                  "Operations and rates: sr (synonym replacement), ri (random insertion), rs (random swap), rd (random "
                  "deletion): alpha, n changed = max(1, round(alpha x words)); aeda: at most this share of the words "
                  "(1/3); char: per-word typo probability")
      ->capture_default_str();
  cmd->add_option("--n", args->n, "Variants per sample (EDA: 16 for 500 samples, 8 for 2000, 4 for 5000 and more)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed: the same seed, data and options give the same file")->capture_default_str();
  cmd->add_option("--out", args->out, "Output file (the input's format; JSONL for text, fortune and folder input)");
  cmd->add_option("--log", args->log, "Change-log JSONL (default: OUT with the extension .changes.jsonl)");
  cmd->add_option("--synonyms", args->synonyms,
                  "Synonyms: wordnet (Debian's wordnet-base), none, or a file of synonym groups (one a line; HIT Cilin "
                  "\"Aa01A01= w1 w2\" accepted)")
      ->capture_default_str();
  cmd->add_option("--vectors", args->vectors, "Word vectors in word2vec text format: nearest neighbours as synonyms too");
  cmd->add_option("--min-cosine", args->minCosine, "Cosine similarity a vector neighbour needs")->capture_default_str();
  cmd->add_option("--wordnet-dir", args->wordnetDir, "Folder with WordNet's index.* data.* *.exc")->capture_default_str();
  cmd->add_option("--protect", args->protect, "Regular expression (ICU) of text never changed, besides numbers, URLs and @mentions");
  cmd->add_option("--lang", args->language, "Language of the text: auto (per sample), en, zh")
      ->check(CLI::IsMember({"auto", "en", "zh"}))
      ->capture_default_str();
  cmd->add_option("--max-share", args->maxShare, "Largest share of a sample's words that may change")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Threads (0: all cores; the output is the same for any count)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->add_option("--text-column", args->textColumn, "Text column (default: detected)");
  cmd->add_option("--label-column", args->labelColumn, "Label column (default: detected)");
  cmd->add_flag("--no-originals", args->noOriginals, "Leave the original samples out of the output");
  cmd->add_flag("--preview", args->preview, "Print a few samples with their variants, changes marked; write nothing");
  cmd->add_option("--preview-count", args->previewCount, "Samples --preview prints")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object with the figures on stdout");
  cmd->footer(
      "Each output row has source_row (the 1-based line of its source sample) and augment_ops (empty for an\n"
      "original). The change log has one JSON line per variant: its edits with the operation, word index, byte\n"
      "offsets in source and output, old and new token and where the new token came from.\n"
      "Exit status: 0 done, 2 a file or option that cannot be used.");
  cmd->callback([args, &exitCode] {
    try {
      exitCode = runAugment(*args);
    } catch (const data::DataError& e) {
      for (const auto& i : e.issues()) std::fprintf(stderr, "%s\n", i.format().c_str());
      std::fprintf(stderr, "ftstudio augment: %s cannot be used (see above)\n", args->data.c_str());
      exitCode = 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ftstudio augment: %s\n", e.what());
      exitCode = 2;
    }
  });
}

}  // namespace fts::cli
