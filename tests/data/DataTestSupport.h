#pragma once
// Helpers shared by the data tests: fixture paths, temporary files, expected DataErrors.
#include "core/data/DatasetLoader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <string>

namespace fts::data::test {

inline std::string fixture(const std::string& rel) { return std::string(FTS_FIXTURES) + "/data/" + rel; }

inline std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// The issues of the DataError that loading throws (empty, and a test failure, when it does not throw).
inline std::vector<DataIssue> loadErrors(const std::string& path, const LoadOptions& options = {}) {
  try {
    loadDataset(path, options);
  } catch (const DataError& e) {
    return e.issues();
  }
  return {};
}

}  // namespace fts::data::test
