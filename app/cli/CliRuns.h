#pragma once
// `ftstudio runs list|show|diff|rm`: the run store from the command line.
namespace CLI {
class App;
}

namespace fts::cli {
void addRunsCommands(CLI::App& app, int& exitCode);
}
