// Parse + validate a data file with loadDataset (what the GUI and the trainer do), then profile it.
// Prints MB/s and the peak resident memory of the process against the file size.
#include "core/data/DatasetLoader.h"
#include "core/data/DatasetProfile.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace {
double peakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: kilobytes
}
double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_parse FILE [--profile]\n");
    return 2;
  }
  const std::string file = argv[1];
  const bool profile = argc > 2 && std::string(argv[2]) == "--profile";
  const double mb = static_cast<double>(std::filesystem::file_size(file)) / (1 << 20);
  const double rssBefore = peakRssMb();
  fts::data::LoadOptions o;
  o.onError = fts::data::ErrorPolicy::SkipAndReport;
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = fts::data::loadDataset(file, o);
  const double parse = seconds(t0);
  const double rssAfterLoad = peakRssMb();
  std::printf("file: %s (%.1f MB)\n", file.c_str(), mb);
  std::printf("rows: %zu kept, %zu skipped, %zu classes\n", r.dataset.samples.size(), r.skipped.size(),
              r.dataset.classCounts().size());
  std::printf("parse+validate: %.2f s, %.1f MB/s\n", parse, mb / parse);
  std::printf("peak RSS: %.1f MB at start, %.1f MB after loading (%.2fx the file size)\n", rssBefore, rssAfterLoad,
              rssAfterLoad / mb);
  if (profile) {
    const auto t1 = std::chrono::steady_clock::now();
    const auto p = fts::data::profileDataset(r.dataset);
    const double prof = seconds(t1);
    std::printf("profile (lengths, CJK, duplicates): %.2f s, %.1f MB/s; %lld exact duplicates; peak RSS %.1f MB\n", prof,
                mb / prof, static_cast<long long>(p.duplicates.exact), peakRssMb());
  }
  return 0;
}
