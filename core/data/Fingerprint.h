#pragma once
// Fingerprints that tie a run to its data: 16 hex digits of our 64-bit hash (Hash64.h).
#include "core/data/Dataset.h"

#include <filesystem>
#include <string>

namespace fts::data {

// Of a data file's bytes; of a folder: each regular file's relative path and bytes, in path order
// (hidden entries skipped). Throws std::runtime_error naming the path when it cannot be read.
std::string fingerprintFile(const std::filesystem::path& fileOrFolder);

// Of the samples as loaded (text, label, response, in order): what split indices refer to. Loading
// the same file with other columns or another error policy gives another fingerprint.
std::string fingerprintSamples(const Dataset& data);

}  // namespace fts::data
