#include "core/util/Clock.h"

#include <chrono>

namespace fts {
double monotonicSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace fts
