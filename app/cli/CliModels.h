#pragma once
// `ftstudio models [DIR ...] [--json]`: the model folders found (path, architecture, parameters,
// tokenizer kind), the same list the GUI's base model picker shows.
namespace CLI {
class App;
}

namespace fts::cli {

void addModelsCommand(CLI::App& app, int& exitCode);

}  // namespace fts::cli
