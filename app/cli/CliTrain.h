#pragma once
// `ftstudio train`: the same engine as the GUI, headless.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace fts::cli {

struct TrainArgs {
  std::string project;
  std::string data;
  std::string task;
  std::string model;  // --model DIR: the base model folder (model.base)
  std::vector<std::string> sets;
  int steps = -1;
  int threads = -1;
  bool json = false;
};

void addTrainCommand(CLI::App& app, TrainArgs& args, int& exitCode);
int runTrain(const TrainArgs& args);

}  // namespace fts::cli
