#pragma once
// What the trainer tells the outside world, as plain structs (no Qt, no torch). The GUI drains
// these on a timer; the CLI prints them.
#include <cstdint>
#include <map>
#include <string>
#include <variant>

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

using TrainerEvent = std::variant<MetricEvent, ProgressEvent, LogEvent, StateEvent>;

}  // namespace fts
