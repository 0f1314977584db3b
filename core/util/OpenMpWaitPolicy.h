#pragma once
// How LibTorch's OpenMP threads (GNU libgomp) wait between parallel regions, chosen before the
// library loads. Plain C++: no torch, no Qt.
//
// Why: libgomp's default lets idle threads spin for about 300,000 iterations before sleeping. On an
// idle machine that saves the wake-up of the next region (small models train faster); on a machine
// where anything else runs (a build, a browser, another run) the spinning threads steal the cores
// the working ones need, and a training step gets 5-20x slower (measured here: docs/BENCHMARKS.md,
// "OpenMP wait policy"). libgomp reads its settings from the environment once, when it loads (before
// main), so the only way to choose for the user is to set the variable and start the program again.
#include <string>

namespace fts {

// The spin count the studio's programs use unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT.
// Measured with bench/train/omp_policy.sh (docs/BENCHMARKS.md, "OpenMP's wait policy"): at lm256,
// with one other busy process, 1000 trains 2.0-2.1x faster than 10000 (which is hardly better
// than libgomp's default), and on a quiet machine it costs about 4% (median of 3).
inline constexpr int kStudioGompSpinCount = 1000;

// Call first thing in main(). When neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set (and
// FTS_KEEP_OMP_DEFAULTS is not), sets GOMP_SPINCOUNT=kStudioGompSpinCount and re-executes the
// program with the same arguments; returns normally otherwise, or when the re-execution fails
// (the program then runs with libgomp's defaults). Under valgrind nothing is done.
void applyOpenMpWaitPolicy(char** argv);

// The policy in force, for `ftstudio doctor` and logs, e.g. "GOMP_SPINCOUNT=1000 (the studio's
// default)" or "OMP_WAIT_POLICY=passive (from the environment)".
std::string openMpWaitPolicy();

}  // namespace fts
