#include "core/data/SplitFile.h"

#include "core/data/DataIssue.h"
#include "core/data/Fingerprint.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

namespace fts::data {
namespace {

constexpr const char* kFormat = "ftstudio-split";
constexpr int kVersion = 1;

[[noreturn]] void bad(const std::filesystem::path& file, const std::string& message) {
  throw DataError({DataIssue{file.string(), 0, 0, message}});
}

}  // namespace

SplitRecord makeSplitRecord(const Dataset& data, const std::filesystem::path& dataFile, const Split& split) {
  SplitRecord r;
  r.split = split;
  r.dataFile = dataFile.string();
  try {
    r.fileFingerprint = fingerprintFile(dataFile);
  } catch (const std::exception&) {
    r.fileFingerprint.clear();  // the samples fingerprint is what the indices depend on
  }
  r.samplesFingerprint = fingerprintSamples(data);
  r.rows = static_cast<std::int64_t>(data.samples.size());
  return r;
}

void writeSplitFile(const std::filesystem::path& jsonFile, const SplitRecord& r) {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["data_file"] = r.dataFile;
  j["file_fingerprint"] = r.fileFingerprint;
  j["samples_fingerprint"] = r.samplesFingerprint;
  j["rows"] = r.rows;
  j["seed"] = r.split.seed;
  j["fraction"] = r.split.fraction;
  j["note"] = r.split.note;
  j["train"] = r.split.train;
  j["validation"] = r.split.validation;
  writeFileAtomically(jsonFile, j.dump() + "\n");
}

SplitRecord readSplitFile(const std::filesystem::path& file) {
  std::string text;
  try {
    text = readWholeFile(file);
  } catch (const std::exception& e) {
    bad(file, std::string("cannot read the split file: ") + e.what());
  }
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) bad(file, "not a split file (invalid JSON)");
  if (j.value("format", "") != kFormat) bad(file, "not a split file (format is not 'ftstudio-split')");
  if (j.value("version", 0) != kVersion)
    bad(file, "split file version " + std::to_string(j.value("version", 0)) + " is not supported (expected " +
                  std::to_string(kVersion) + "): use the version of ftstudio that wrote it");
  SplitRecord r;
  try {
    r.dataFile = j.at("data_file").get<std::string>();
    r.fileFingerprint = j.at("file_fingerprint").get<std::string>();
    r.samplesFingerprint = j.at("samples_fingerprint").get<std::string>();
    r.rows = j.at("rows").get<std::int64_t>();
    r.split.seed = j.at("seed").get<std::uint64_t>();
    r.split.fraction = j.at("fraction").get<double>();
    r.split.note = j.value("note", "");
    r.split.train = j.at("train").get<std::vector<std::size_t>>();
    r.split.validation = j.at("validation").get<std::vector<std::size_t>>();
  } catch (const nlohmann::json::exception& e) {
    bad(file, std::string("malformed split file: ") + e.what());
  }
  if (r.rows < 0 || r.rows > (std::int64_t{1} << 32)) bad(file, "malformed split file: row count out of range");
  std::vector<char> seen(static_cast<std::size_t>(r.rows), 0);
  for (const auto* part : {&r.split.train, &r.split.validation}) {
    for (std::size_t i : *part) {
      if (i >= seen.size()) bad(file, "malformed split file: index " + std::to_string(i) + " is beyond the " + std::to_string(r.rows) + " rows");
      if (seen[i]++) bad(file, "malformed split file: row " + std::to_string(i) + " appears twice");
    }
  }
  return r;
}

Split restoreSplit(const std::filesystem::path& jsonFile, const Dataset& data) {
  SplitRecord r = readSplitFile(jsonFile);
  const auto rows = static_cast<std::int64_t>(data.samples.size());
  const std::string fp = fingerprintSamples(data);
  if (rows != r.rows || fp != r.samplesFingerprint)
    bad(jsonFile, "the data changed since this split was made (" + std::to_string(r.rows) + " rows, fingerprint " +
                      r.samplesFingerprint + "; now " + std::to_string(rows) + " rows, fingerprint " + fp +
                      "): load the same file with the same columns to reproduce the run, or start a new run");
  return r.split;
}

}  // namespace fts::data
