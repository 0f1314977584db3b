#pragma once
// `ftstudio bench train`: our training step's tokens per second on random data of a given shape,
// with the flags of ../shared/bench/ref_train.py so the two compare one to one
// (bench/train/compare.py runs both).

namespace CLI {
class App;
}

namespace fts::cli {

void addBenchCommands(CLI::App& app, int& exitCode);

}  // namespace fts::cli
