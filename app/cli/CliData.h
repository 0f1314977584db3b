#pragma once
// `ftstudio data inspect FILE`: what the Dataset panel shows, on the terminal or as JSON;
// `ftstudio data overlap` (CliOverlap.h).
namespace CLI {
class App;
}

namespace fts::cli {

// Adds `data` with its subcommand `inspect`; sets exitCode when one runs: 0 usable, 2 not usable
// (the FILE:LINE: messages on stderr), 1 for other failures (a tokenizer that cannot be loaded).
void addDataCommands(CLI::App& app, int& exitCode);

}  // namespace fts::cli
