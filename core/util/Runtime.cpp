#include "core/util/Runtime.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <fstream>
#include <malloc.h>
#include <sstream>
#include <sched.h>
#include <thread>

namespace fts {

int availableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {
// glibc's defaults return big freed blocks to the kernel at once (mmap above 128 KiB grows to 32 MiB
// only adaptively, trimming above 128 KiB), so every training step faults its activation memory in
// again page by page. Keeping up to a few hundred MiB mapped cut an lm256 step's page faults from
// 22k to 8k (docs/BENCHMARKS.md). Once per process, before the first large allocation we control.
void keepFreedMemoryMapped() {
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
    return true;
  }();
  (void)done;
}
}  // namespace

int configureThreads(int requested) {
  keepFreedMemoryMapped();
  const int n = requested > 0 ? requested : availableCores();
  at::set_num_threads(n);
  return at::get_num_threads();
}

int currentThreads() { return at::get_num_threads(); }

BlasInfo probeBlas() {
  std::ifstream maps("/proc/self/maps");
  std::stringstream text;
  text << maps.rdbuf();
  return classifyBlas(text.str());
}

BlasInfo classifyBlas(const std::string& procMaps) {
  BlasInfo info;
  std::istringstream maps(procMaps);
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const auto base = path.substr(path.rfind('/') + 1);
    const bool isBlas = base.find("blas") != std::string::npos || base.find("mkl_rt") != std::string::npos;
    if (!isBlas || base.find("cublas") != std::string::npos) continue;
    info.library = path;
    if (path.find("openblas") != std::string::npos) { info.name = "OpenBLAS"; break; }
    if (path.find("blis") != std::string::npos) { info.name = "BLIS"; break; }
    if (path.find("mkl") != std::string::npos) { info.name = "MKL"; break; }
    if (path.find("atlas") != std::string::npos) { info.name = "ATLAS"; break; }
    // Debian's netlib reference implementation lives in .../blas/libblas.so.3.
    if (path.find("/blas/") != std::string::npos) { info.name = "reference BLAS"; info.slow = true; }
  }
  if (info.library.empty()) info.name = "unknown";
  if (info.slow) {
    info.warning = "Slow reference BLAS in use (" + info.library +
                   "): training runs 15-30x slower. Install the fast one: sudo apt-get install libopenblas0-openmp";
  }
  return info;
}

}  // namespace fts
