#pragma once
// The split stored with a run (split.json in the run folder), so the run can be reproduced: the
// indices, the seed and fraction that made them, and fingerprints of the data they index.
//
//   {"format": "ftstudio-split", "version": 1, "data_file": "...", "file_fingerprint": "16 hex",
//    "samples_fingerprint": "16 hex", "rows": N, "seed": S, "fraction": F, "note": "...",
//    "train": [i, ...], "validation": [j, ...]}
#include "core/data/Dataset.h"
#include "core/data/Split.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace fts::data {

struct SplitRecord {
  Split split;
  std::string dataFile;            // as given to the loader
  std::string fileFingerprint;     // fingerprintFile(dataFile): the bytes (empty if it was not readable)
  std::string samplesFingerprint;  // fingerprintSamples(): what the indices refer to
  std::int64_t rows = 0;           // samples loaded
};

// Describes a split of `data` (loaded from dataFile) for storing.
SplitRecord makeSplitRecord(const Dataset& data, const std::filesystem::path& dataFile, const Split& split);

// Writes atomically (temporary file, fsync, rename). Throws std::runtime_error on failure.
void writeSplitFile(const std::filesystem::path& jsonFile, const SplitRecord& record);

// Reads and checks a split file (format, version, indices in range, no index twice). Throws DataError
// ("FILE: what is wrong") when it is unreadable or malformed.
SplitRecord readSplitFile(const std::filesystem::path& jsonFile);

// The stored split, checked against the data as loaded now: the same number of samples and the same
// samples fingerprint, else DataError saying the data changed since the run and how to proceed.
Split restoreSplit(const std::filesystem::path& jsonFile, const Dataset& data);

}  // namespace fts::data
