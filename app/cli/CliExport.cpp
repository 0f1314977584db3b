#include "app/cli/CliExport.h"

#include "core/export/ExportSource.h"
#include "core/export/Exporter.h"
#include "core/runs/RunPaths.h"
#include "core/runs/RunStore.h"
#include "core/util/Runtime.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace fts::cli {
namespace {

using json = nlohmann::ordered_json;

struct ExportArgs {
  std::string run;
  std::string format = "hf";
  std::string dtype = "f32";
  std::string out;
  std::string shardSize = "5GB";
  std::vector<std::string> sampleTexts;
  std::string dumpLogits;
  bool json = false;
};

// Ctrl-C during an export: stop at the next stage, so the staging folder is removed (the final name
// is never touched either way). A second Ctrl-C ends the process at once.
std::atomic<bool> gCancel{false};
extern "C" void onInterrupt(int) {
  if (gCancel.exchange(true)) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
  }
}

class CancelOnInterrupt {
 public:
  CancelOnInterrupt() { previous_ = std::signal(SIGINT, onInterrupt); }
  ~CancelOnInterrupt() { std::signal(SIGINT, previous_); }

 private:
  void (*previous_)(int) = SIG_DFL;
};

int runExport(const ExportArgs& a) {
  ExportOptions o;
  const auto format = exportFormatFromName(a.format);
  const auto dtype = exportDtypeFromName(a.dtype);
  if (!format) throw std::invalid_argument("--format must be hf, peft, merged or gguf, not '" + a.format + "'");
  if (!dtype) throw std::invalid_argument("--dtype must be f32, f16, bf16 or q8_0, not '" + a.dtype + "'");
  o.format = *format;
  o.dtype = *dtype;
  o.out = a.out;
  o.maxShardBytes = parseByteSize(a.shardSize);
  o.sampleTexts = a.sampleTexts;
  o.referenceLogitsFile = a.dumpLogits;
  o.card.toolVersion = std::string("ftstudio ") + FTS_VERSION;

  // RUN: a folder (run or model folder) as it is, else a run id (or unique prefix) from the store.
  std::optional<RunRecord> run;
  std::filesystem::path source = a.run;
  if (!std::filesystem::is_directory(source)) {
    RunStore store(studioHome());
    run = store.findRun(a.run);
    if (!run) throw std::invalid_argument("no run '" + a.run + "' and no such folder (see `ftstudio runs list`)");
    source = run->dir;
  } else if (std::filesystem::exists(studioHome() / "runs")) {
    // A run folder of this studio's store given by its path: the store still knows its facts.
    std::error_code ec;
    const auto wanted = std::filesystem::weakly_canonical(source, ec);
    for (const auto& r : RunStore(studioHome()).listRuns())
      if (std::filesystem::weakly_canonical(r.dir, ec) == wanted) run = r;
  }
  if (run) {
    const std::string tool = o.card.toolVersion;
    o.card = modelCardInfoFromStore(RunStore(studioHome()), *run);
    o.card.toolVersion = tool;
  }

  configureThreads(0);
  std::FILE* human = a.json ? stderr : stdout;
  o.progress = [&](const std::string& stage) {
    if (!a.json) std::fprintf(human, "%s...\n", stage.c_str());
  };
  CancelOnInterrupt interrupt;
  o.cancel = &gCancel;
  const ExportResult r = exportModel(source, o);

  if (run) RunStore(studioHome()).addArtifact(run->id, "export-" + a.format + "-" + a.dtype, r.out.string());

  const auto& v = r.verification;
  if (a.json) {
    json j;
    j["run"] = run ? run->id : a.run;
    j["format"] = a.format;
    j["dtype"] = a.dtype;
    j["out"] = r.out.string();
    j["files"] = r.files;
    j["source"] = r.source;
    j["task"] = r.task;
    j["verification"] = {{"max_abs_diff", v.maxAbsDiff},     {"max_abs_logit", v.maxAbsLogit}, {"argmax_agreement", v.argmaxAgreement},
                         {"samples", v.samples},             {"positions", v.positions},       {"tolerance", v.tolerance},
                         {"passed", v.passed},               {"reloaded_with", v.reloadedWith}, {"tokenizer", v.tokenizerCheck}};
    j["notes"] = r.notes;
    std::cout << j.dump() << std::endl;
    return 0;
  }
  std::printf("exported %s as %s %s to %s\n", r.source.c_str(), a.format.c_str(), a.dtype.c_str(), r.out.c_str());
  for (const auto& f : r.files) std::printf("  %s\n", f.c_str());
  for (const auto& n : r.notes) std::printf("note: %s\n", n.c_str());
  std::printf("verified: read back with %s\n", v.reloadedWith.c_str());
  std::printf("  max abs logit difference %.3g over %lld rows of %d sample texts (largest logit %.3g, accepted %.3g)\n", v.maxAbsDiff,
              static_cast<long long>(v.positions), v.samples, v.maxAbsLogit, v.tolerance);
  std::printf("  argmax agreement %.1f%%\n", 100.0 * v.argmaxAgreement);
  std::printf("  %s\n", v.tokenizerCheck.c_str());
  return 0;
}

}  // namespace

void addExportCommands(CLI::App& app, int& exitCode) {
  static ExportArgs args;
  auto* e = app.add_subcommand("export", "Export a run's model (Hugging Face folder, PEFT adapter, merged LoRA model or GGUF), then read it back and verify it");
  e->add_option("RUN", args.run, "Run id (or unique prefix), a run folder or a model folder")->required();
  e->add_option("--format", args.format, "hf (Hugging Face folder), gguf (llama.cpp), peft (the LoRA adapter of a LoRA run) or merged (a LoRA run's adapters folded into its base)")
      ->check(CLI::IsMember({"hf", "peft", "merged", "gguf"}))
      ->capture_default_str();
  e->add_option("--dtype", args.dtype, "Weights as f32, f16, bf16, or q8_0 (GGUF only)")
      ->check(CLI::IsMember({"f32", "f16", "bf16", "q8_0"}))
      ->capture_default_str();
  e->add_option("--out", args.out, "Export folder (created; an earlier export there is replaced whole)")->required();
  e->add_option("--shard-size", args.shardSize, "hf: split model.safetensors into shards above this size (e.g. 2GB, 500MB)")
      ->capture_default_str();
  e->add_option("--sample-text", args.sampleTexts, "Verification input (repeatable; default: a few built-in texts)");
  e->add_option("--dump-logits", args.dumpLogits,
                "Also write the in-memory model's token ids and logits on the samples to this safetensors file (for outside checks)");
  e->add_flag("--json", args.json, "Print one JSON object: run, format, dtype, out, files, verification");
  e->callback([&] {
    try {
      exitCode = runExport(args);
    } catch (const ExportVerificationError& err) {
      std::fprintf(stderr, "ftstudio export: verification failed: %s\n", err.what());
      exitCode = 1;
    } catch (const std::exception& err) {
      std::fprintf(stderr, "ftstudio export: %s\n", err.what());
      exitCode = 2;
    }
  });
}

}  // namespace fts::cli
