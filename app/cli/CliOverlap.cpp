#include "app/cli/CliOverlap.h"

#include "core/data/DatasetLoader.h"
#include "core/data/Overlap.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace fts::cli {
namespace {

using Json = nlohmann::ordered_json;

struct OverlapArgs {
  std::vector<std::string> corpus, against;
  int ngramWords = data::OverlapOptions{}.ngramWords;
  int ngramChars = data::OverlapOptions{}.ngramChars;
  std::size_t maxFieldBytes = 1u << 20;
  bool json = false;
};

// The text compared of a sample: a prompt/response pair is one text, so a run may span both.
std::string comparedText(const data::Sample& s) { return s.response.empty() ? s.text : s.text + "\n" + s.response; }

// The shared run as one line: white space collapsed.
std::string oneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Every file is read in full and strictly: a row the loader cannot read would be a row left
// unchecked, so any problem makes the file unusable. Labels are ignored (task lm).
std::optional<data::Dataset> loadStrict(const std::string& file, const OverlapArgs& a) {
  data::LoadOptions o;
  o.task = data::DataTask::LanguageModel;
  o.onError = data::ErrorPolicy::StopAtFirst;
  o.maxFieldBytes = a.maxFieldBytes;
  try {
    return data::loadDataset(file, o).dataset;
  } catch (const data::DataError& e) {
    for (const auto& i : e.issues()) std::fprintf(stderr, "%s\n", i.format().c_str());
    return std::nullopt;
  }
}

int runOverlap(const OverlapArgs& a) {
  data::OverlapOptions options;
  options.ngramWords = a.ngramWords;
  options.ngramChars = a.ngramChars;
  data::OverlapIndex index(options);

  struct Origin {
    std::size_t file = 0;
    std::string where;      // FILE:LINE
    std::int64_t line = 0;  // where the text starts
  };
  std::vector<Origin> origins;
  Json againstJson = Json::array();
  for (std::size_t f = 0; f < a.against.size(); ++f) {
    const auto ds = loadStrict(a.against[f], a);
    if (!ds) {
      std::fprintf(stderr, "ftstudio data overlap: %s cannot be used (see above)\n", a.against[f].c_str());
      return 2;
    }
    for (std::size_t i = 0; i < ds->samples.size(); ++i) {
      index.add(comparedText(ds->samples[i]));
      origins.push_back({f, ds->where(i), ds->samples[i].line});
    }
    againstJson.push_back({{"file", a.against[f]}, {"texts", ds->samples.size()}});
  }

  Json corpusJson = Json::array(), pairs = Json::array();
  std::size_t pairCount = 0, textsWithOverlap = 0, textsChecked = 0;
  for (const auto& file : a.corpus) {
    const auto ds = loadStrict(file, a);
    if (!ds) {
      std::fprintf(stderr, "ftstudio data overlap: %s cannot be used (see above)\n", file.c_str());
      return 2;
    }
    for (std::size_t i = 0; i < ds->samples.size(); ++i) {
      const std::string text = comparedText(ds->samples[i]);
      const auto matches = index.find(text);
      if (!matches.empty()) ++textsWithOverlap;
      for (const auto& m : matches) {
        ++pairCount;
        const std::string shared = oneLine(std::string_view(text).substr(m.begin, m.end - m.begin));
        const Origin& o = origins[m.against];
        if (a.json) {
          pairs.push_back({{"corpus", ds->where(i)}, {"corpus_file", file}, {"corpus_line", ds->samples[i].line},
                           {"against", o.where}, {"against_file", a.against[o.file]},
                           {"against_line", o.line},
                           {"unit", data::toString(m.unit)}, {"units", m.units}, {"shared", shared}});
        } else {
          std::printf("%s overlaps %s: \"%s\"\n", ds->where(i).c_str(), o.where.c_str(), shared.c_str());
        }
      }
    }
    textsChecked += ds->samples.size();
    corpusJson.push_back({{"file", file}, {"texts", ds->samples.size()}});
  }

  const auto& opt = index.options();
  if (a.json) {
    Json j;
    j["check"] = {{"ngram_words", opt.ngramWords}, {"ngram_chars", opt.ngramChars}};
    j["corpus"] = corpusJson;
    j["against"] = againstJson;
    j["texts_checked"] = textsChecked;
    j["texts_against"] = index.size();
    j["texts_with_overlap"] = textsWithOverlap;
    j["overlapping_pairs"] = pairCount;
    j["overlaps"] = pairs;
    std::cout << j.dump(2) << std::endl;
  } else {
    std::fflush(stdout);
    if (pairCount == 0)
      std::fprintf(stderr, "no overlap: %zu texts checked against %zu texts (runs of %d words or %d CJK characters)\n",
                   textsChecked, index.size(), opt.ngramWords, opt.ngramChars);
    else
      std::fprintf(stderr, "overlap: %zu of %zu texts share a run with the %zu texts checked against (%zu pairs; runs of %d words or %d CJK characters)\n",
                   textsWithOverlap, textsChecked, index.size(), pairCount, opt.ngramWords, opt.ngramChars);
  }
  return pairCount == 0 ? 0 : 1;
}

}  // namespace

void addDataOverlapCommand(CLI::App& data, int& exitCode) {
  auto args = std::make_shared<OverlapArgs>();
  auto* cmd = data.add_subcommand(
      "overlap", "Find texts of a corpus that share a run of words or CJK characters with other data (e.g. test sets)");
  cmd->add_option("--corpus", args->corpus, "Files to check (any format `data inspect` reads), e.g. a pretraining corpus")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--against", args->against, "Files whose text must not occur in the corpus (evaluation data)")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--ngram-words", args->ngramWords, "Shared run of this many words counts as overlap")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--ngram-chars", args->ngramChars, "Shared run of this many CJK characters counts as overlap")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--max-field-bytes", args->maxFieldBytes, "Largest text (line, field, entry) accepted, in bytes")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object (overlaps: corpus, against, unit, units, shared) on stdout");
  cmd->footer(
      "Each overlapping pair prints as CORPUS_FILE:LINE overlaps AGAINST_FILE:LINE: \"<shared text>\".\n"
      "Texts are compared normalised (case, punctuation, full-width forms). A text shorter than the n-gram\n"
      "counts when it occurs whole and has at least half of n units. The --against files are indexed in\n"
      "memory (about 70 times their size): give the smaller side there; corpus files are read one at a time.\n"
      "Exit status: 0 no overlap, 1 overlap found, 2 a file cannot be used.");
  cmd->callback([args, &exitCode] {
    try {
      exitCode = runOverlap(*args);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ftstudio data overlap: %s\n", e.what());
      exitCode = 2;
    }
  });
}

}  // namespace fts::cli
