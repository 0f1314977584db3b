#pragma once
// `ftstudio resume RUN`, `ftstudio eval RUN --data FILE`, `ftstudio predict RUN --text "..."`.
namespace CLI {
class App;
}

namespace fts::cli {
void addModelCommands(CLI::App& app, int& exitCode);
}
