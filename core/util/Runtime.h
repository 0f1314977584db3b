#pragma once
// Process-wide compute settings: how many threads LibTorch uses, and which BLAS it got.
#include <string>

namespace fts {

// All cores this process may run on (sched affinity, so containers and taskset are honoured).
int availableCores();

// Sets LibTorch's intra-op (OpenMP) threads. LibTorch starts with one thread on these machines,
// so every entry point calls this: with 0 it uses availableCores(). Returns the count in force.
int configureThreads(int requested = 0);
int currentThreads();

struct BlasInfo {
  std::string library;    // path of the BLAS shared library mapped into this process, or empty
  std::string name;       // "OpenBLAS", "BLIS", "MKL", "reference BLAS", "unknown"
  bool slow = false;      // the netlib reference BLAS: matrix products 15-30x slower
  std::string warning;    // a sentence for the user when slow, else empty
};

// Looks at the libraries mapped into this process to tell which BLAS LibTorch's matrix products use.
BlasInfo probeBlas();
// The same judgement from the text of a /proc/PID/maps file (testable without swapping libraries).
BlasInfo classifyBlas(const std::string& procMaps);

}  // namespace fts
