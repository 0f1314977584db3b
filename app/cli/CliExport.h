#pragma once
// `ftstudio export RUN --format hf|peft|merged|gguf --dtype f32|f16|bf16|q8_0 --out DIR`: writes the
// model in a format other tools load, reads it back, and prints how closely it matches.
namespace CLI {
class App;
}

namespace fts::cli {
void addExportCommands(CLI::App& app, int& exitCode);
}
