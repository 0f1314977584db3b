#pragma once
// The data of a run: the training file loaded and checked for the task, the labels, and the
// validation rows (a file the user named, the run's stored split on resume, or a fresh seeded
// stratified split written to the run folder). Torch-free.
#include "core/data/DatasetLoader.h"
#include "core/runs/RunRecorder.h"
#include "core/train/TrainConfig.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fts {

struct RunData {
  data::LoadOptions loadOptions;       // how the files were read (test files are read the same way)
  data::Dataset train;
  data::Dataset validationFile;        // when data.validation names a file
  std::vector<std::size_t> trainRows;  // rows of `train` that train
  std::vector<std::size_t> valRows;    // rows of validationSource()
  std::string task;                    // "cls" | "lm"
  std::vector<std::string> labels;     // class names, index = class id (classification)
  std::map<std::string, int> labelIds;
  std::string fingerprint;             // of the training file
  std::vector<data::DataIssue> skipped;  // rows left out under data.on_error=skip, of every file

  bool classification() const { return task == "cls"; }
  const data::Dataset& validationSource() const { return validationFile.samples.empty() ? train : validationFile; }
};

// Throws JobFailed (core/train/ModelSetup.h) or data::DataError with a message for the user.
RunData loadRunData(const TrainConfig& cfg, const std::filesystem::path& runDir, bool resume, RunRecorder& events);

// A validation or test file read like the training file; for classification only labels the
// training data has (the model cannot predict others). Rows it skips are reported like the
// training file's (events, and appended to runDir/skipped_rows.txt).
data::Dataset loadCompanionFile(const std::string& file, const RunData& data, const std::filesystem::path& runDir, RunRecorder& events);

}  // namespace fts
