#include "core/util/OpenMpWaitPolicy.h"

#include <cstdlib>
#include <string>
#include <unistd.h>

namespace fts {
namespace {
constexpr const char* kMarker = "FTS_OMP_POLICY_SET";  // set by us before the re-execution
}

void applyOpenMpWaitPolicy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT") || std::getenv("FTS_KEEP_OMP_DEFAULTS")) return;
  if (std::getenv(kMarker) || std::getenv("VALGRIND_LAUNCHER")) return;  // never loop; valgrind's /proc/self/exe is its own
  const std::string spin = std::to_string(kStudioGompSpinCount);
  if (setenv("GOMP_SPINCOUNT", spin.c_str(), 1) != 0 || setenv(kMarker, "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Still here: the re-execution failed; go on with libgomp's defaults (already loaded).
  unsetenv("GOMP_SPINCOUNT");
}

std::string openMpWaitPolicy() {
  if (const char* p = std::getenv("OMP_WAIT_POLICY")) return std::string("OMP_WAIT_POLICY=") + p + " (from the environment)";
  if (const char* s = std::getenv("GOMP_SPINCOUNT"))
    return std::string("GOMP_SPINCOUNT=") + s + (std::getenv(kMarker) ? " (the studio's default)" : " (from the environment)");
  return "libgomp's default (idle threads spin about 300,000 times before they sleep)";
}

}  // namespace fts
