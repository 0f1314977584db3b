#pragma once
// Offline augmentation of a data file: every sample and its variants written to a new file in the
// input's format (CSV and TSV stay CSV and TSV, JSONL stays JSONL; plain text, fortune files and
// folders become JSONL), each row with a `source_row` column (the 1-based line where its source
// sample starts) and an `augment_ops` column (empty for an original, "sr" for a variant made by
// synonym replacement). The change logs go to a JSONL file beside it (ChangeLog.h), one line per
// variant. Both are written atomically.
#include "core/augment/Augmenter.h"
#include "core/data/DatasetLoader.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace fts::augment {

struct DatasetAugmentOptions {
  data::LoadOptions load;       // how the input is read (StopAtFirst: a bad row stops with FILE:LINE)
  std::uint64_t seed = 0;
  bool keepOriginals = true;
  int threads = 1;              // 0: every core; the output is the same for any count
  std::filesystem::path logFile;  // empty: defaultLogPath(output)
  // Called now and then with (samples done, samples in all), from one thread at a time.
  std::function<void(std::size_t, std::size_t)> progress;
  const std::atomic<bool>* cancel = nullptr;  // set: stop, write nothing, throw AugmentCancelled
};

struct DatasetAugmentResult {
  data::DataFormat inputFormat = data::DataFormat::Auto, outputFormat = data::DataFormat::Auto;
  std::filesystem::path output, log;
  std::size_t sourceRows = 0, variants = 0, rowsWritten = 0;
  std::size_t samplesShort = 0;               // samples that got fewer than n variants (too short, ...)
  std::map<std::string, std::size_t> perOp;   // variants per operation label
  std::string textColumn, labelColumn, responseColumn;
};

struct AugmentCancelled : std::runtime_error {
  AugmentCancelled() : std::runtime_error("augmentation cancelled") {}
};

// "out.csv" -> "out.changes.jsonl" (same folder).
std::filesystem::path defaultLogPath(const std::filesystem::path& output);

// The variants of every sample (index i: sample i), keyed by (seed, 0, sample line).
std::vector<std::vector<Variant>> augmentSamples(const data::Dataset& dataset, const Augmenter& augmenter,
                                                 const DatasetAugmentOptions& options);

// Reads `input` with core/data's loaders, augments, writes `output` and the log. Throws
// data::DataError (FILE:LINE issues) for unusable input, std::runtime_error for write failures.
DatasetAugmentResult augmentDataFile(const std::filesystem::path& input, const std::filesystem::path& output,
                                     const Augmenter& augmenter, const DatasetAugmentOptions& options);

}  // namespace fts::augment
