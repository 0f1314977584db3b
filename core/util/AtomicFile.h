#pragma once
// Atomic file writes: write to a temporary name in the same folder, fsync, rename over the final
// name, fsync the folder. A crash leaves either the old file or the new one, never half of one.
#include <filesystem>
#include <string_view>

namespace fts {

// Throws std::runtime_error naming the path and the failing system call.
void writeFileAtomically(const std::filesystem::path& path, std::string_view bytes);

// Reads a whole file; throws std::runtime_error naming the path when it cannot.
std::string readWholeFile(const std::filesystem::path& path);

}  // namespace fts
