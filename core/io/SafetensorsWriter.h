#pragma once
// Writes safetensors files (format: see SafetensorsReader.h) the way the reference implementation does:
// a compact JSON header with "__metadata__" first, padded with spaces to a multiple of 8 bytes, then the
// tensors back to back. The order is deterministic: larger element types first, then by name, so every
// tensor starts at a multiple of its element size and the same tensors always give the same bytes.
#include "core/io/SafetensorsTypes.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fts {

using SafetensorsMetadata = std::map<std::string, std::string>;

// Size in bytes of the file writeSafetensors would produce (for planning shards and disk space).
// Throws std::invalid_argument on an invalid tensor list (see below).
uint64_t safetensorsFileSize(const std::vector<TensorView>& tensors, const SafetensorsMetadata& metadata = {});

// The whole file in memory: small files and tests.
// Throws std::invalid_argument on an empty or duplicated name, the name "__metadata__", or bytes that
// do not match dtype and shape.
std::string serializeSafetensors(const std::vector<TensorView>& tensors, const SafetensorsMetadata& metadata = {});

// Streams the tensors into `file` atomically (temporary name, fsync, rename): a crash leaves the old
// file or the new one, never half of one. Throws std::runtime_error naming the file on I/O errors.
void writeSafetensors(const std::filesystem::path& file, const std::vector<TensorView>& tensors,
                      const SafetensorsMetadata& metadata = {});

}  // namespace fts
