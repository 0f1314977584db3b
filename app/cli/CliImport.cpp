#include "app/cli/CliImport.h"

#include "core/import/GgufImport.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace fts::cli {
namespace {

using json = nlohmann::ordered_json;

struct ImportArgs {
  std::string file;
  std::string out;
  std::string dtype = "bf16";
  bool json = false;
};

std::string shapeText(const std::vector<int64_t>& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

int runImport(const ImportArgs& a) {
  GgufImportOptions o;
  if (a.dtype == "bf16") o.dtype = SafetensorsDtype::BF16;
  else if (a.dtype == "f32") o.dtype = SafetensorsDtype::F32;
  else throw GgufImportInputError("--dtype must be bf16 or f32, not '" + a.dtype + "'");
  if (!std::filesystem::is_regular_file(a.file)) throw GgufImportInputError(a.file + ": no such file");
  // Progress goes to stderr, one line per tensor, so --json's stdout stays one object.
  o.progress = [](const GgufImportProgress& p) {
    std::fprintf(stderr, "[%d/%d] %s (%s %s) -> %s\n", p.index, p.count, p.ggufName.c_str(), p.type.c_str(), shapeText(p.shape).c_str(),
                 p.hfName.c_str());
  };
  const auto start = std::chrono::steady_clock::now();
  const GgufImportResult r = importGguf(a.file, a.out, o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (a.json) {
    json j;
    j["file"] = a.file;
    j["out"] = r.out.string();
    j["architecture"] = r.architecture;
    j["name"] = r.modelName;
    j["dtype"] = a.dtype;
    j["tensors"] = r.tensors;
    j["parameters"] = r.parameters;
    j["tokenizer"] = r.tokenizerKind;
    j["stored_types"] = r.storedTypes;
    j["files"] = r.files;
    j["notes"] = r.notes;
    j["seconds"] = seconds;
    std::cout << j.dump() << std::endl;
  } else {
    for (const auto& n : r.notes) std::printf("note: %s\n", n.c_str());
    std::string types;
    for (const auto& [t, n] : r.storedTypes) types += (types.empty() ? "" : ", ") + std::to_string(n) + " " + t;
    std::printf("imported %s: %s, %lld tensors (%s), %lld parameters, %s tokenizer, %s weights, %.1f s\n  -> %s\n", a.file.c_str(),
                r.architecture.c_str(), static_cast<long long>(r.tensors), types.c_str(), static_cast<long long>(r.parameters),
                r.tokenizerKind.c_str(), a.dtype.c_str(), seconds, r.out.c_str());
  }
  return 0;
}

}  // namespace

void addImportCommand(CLI::App& app, int& exitCode) {
  static ImportArgs args;
  auto* c = app.add_subcommand("import", "Convert a llama.cpp GGUF file (architecture llama) into a Hugging Face model folder");
  c->add_option("FILE", args.file, "The .gguf file")->required();
  c->add_option("--out", args.out, "Model folder to write (created; an earlier import there is replaced)")->required();
  c->add_option("--dtype", args.dtype, "Weights as bf16 (default, half the size) or f32");
  c->add_flag("--json", args.json, "Print one JSON object: out, architecture, tensors, parameters, tokenizer, seconds");
  c->callback([&] {
    try {
      exitCode = runImport(args);
    } catch (const GgufImportInputError& e) {
      std::fprintf(stderr, "ftstudio import: %s\n", e.what());
      exitCode = 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ftstudio import: %s\n", e.what());
      exitCode = 1;
    }
  });
}

}  // namespace fts::cli
