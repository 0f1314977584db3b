#pragma once
// What the trainer tells the outside world, as plain structs (no Qt, no torch). The GUI drains
// these on a timer; the CLI prints them.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace fts {

enum class TrainerState { Idle, Preparing, Running, Paused, Finished, Stopped, Failed };
const char* toString(TrainerState s);

// One point of a metric series: "train/loss", "val/loss", "val/accuracy", "train/lr", ...
struct MetricEvent {
  std::string name;
  std::int64_t step = 0;
  double epoch = 0;
  std::int64_t tokens = 0;
  double wallSeconds = 0;
  double value = 0;
};

struct ProgressEvent {
  std::int64_t step = 0;
  std::int64_t totalSteps = 0;
  double epoch = 0;
  std::int64_t tokens = 0;
  double elapsedSeconds = 0;
  double etaSeconds = -1;      // -1: not known yet
  double tokensPerSecond = 0;
};

struct LogEvent {
  enum class Level { Info, Warning, Error } level = Level::Info;
  std::string message;
};

struct StateEvent {
  TrainerState state = TrainerState::Idle;
  std::string reason;          // why it stopped or failed, in words for the user
};

// A classification evaluation in full (validation at each evaluation, "test" after the run): the
// per-class figures and the confusion matrix behind the accuracy and macro-F1 series.
struct EvalReportEvent {
  std::string split;                        // "validation" or "test"
  std::int64_t step = 0;
  double epoch = 0;
  std::vector<std::string> labels;          // class names, index = class id
  std::vector<double> precision, recall, f1;  // per class
  std::vector<long> support;                // true samples per class
  std::vector<std::vector<long>> confusion; // [true][predicted]
  double accuracy = 0, macroF1 = 0, weightedF1 = 0;
};

using TrainerEvent = std::variant<MetricEvent, ProgressEvent, LogEvent, StateEvent, EvalReportEvent>;

}  // namespace fts
