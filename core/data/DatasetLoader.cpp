#include "core/data/DatasetLoader.h"

#include "core/data/LoaderSupport.h"

namespace fts::data {
namespace {

namespace fs = std::filesystem;

// ByteSource's messages start with the path, which the issue already names.
std::string withoutPath(const std::string& what, const std::string& path) {
  return what.starts_with(path + ": ") ? what.substr(path.size() + 2) : what;
}

bool plainText(DataFormat f) { return f == DataFormat::Lines || f == DataFormat::Text || f == DataFormat::Fortune; }

// What the task needs of the samples read: labels and two classes for classification.
void checkForTask(const LoadOptions& options, detail::IssueSink& sink, LoadResult& result) {
  Dataset& ds = result.dataset;
  if (ds.samples.empty()) {
    std::vector<DataIssue> all = sink.skipped;
    all.push_back(DataIssue{sink.file(), 0, 0,
                            "no usable rows: all " + std::to_string(result.rowsRead) +
                                " rows have problems (listed above); fix them, or choose other columns"});
    throw DataError(std::move(all));
  }
  const bool labelled = ds.labelled();
  DataTask task = options.task;
  if (task == DataTask::Classification && !labelled) {
    if (plainText(result.format))
      sink.fatal(0, std::string("classification needs labels, and ") + toString(result.format) +
                        " files have none: use CSV, TSV or JSONL with a label column, or a folder of label subfolders "
                        "(or train a language model: --task lm)");
    sink.fatal(0, "classification needs labels and none were found: choose the label column with --label-col");
  }
  if (task == DataTask::Auto) task = labelled ? DataTask::Classification : DataTask::LanguageModel;
  result.task = task;
  if (task == DataTask::LanguageModel) {
    for (auto& s : ds.samples) s.label.clear();
    return;
  }
  const auto counts = ds.classCounts();
  if (counts.size() < 2)
    sink.fatal(0, "only one class ('" + counts.begin()->first + "', " + std::to_string(counts.begin()->second) +
                      (counts.begin()->second == 1 ? " row" : " rows") + "): a classifier needs at least two; add rows of other classes, or train a language "
                      "model on the text (--task lm)");
  for (const auto& [label, n] : counts) {
    if (n != 1) continue;
    for (std::size_t i = 0; i < ds.samples.size(); ++i) {
      if (ds.samples[i].label != label) continue;
      const Sample& s = ds.samples[i];
      const std::string& file = s.file >= 0 ? ds.files[static_cast<std::size_t>(s.file)] : ds.source;
      sink.warnings.push_back(DataIssue{file, s.line, 0,
                                        "class '" + label + "' has a single sample: it cannot be both trained on and "
                                        "validated; add more samples of it"});
      break;
    }
  }
}

}  // namespace

LoadResult loadDataset(const fs::path& file, const LoadOptions& options) {
  const std::string name = file.string();
  detail::IssueSink sink(name, options.onError);
  LoadResult result;
  result.dataset.source = name;
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (!fs::exists(status)) sink.fatal(0, ec && status.type() != fs::file_type::not_found ? "cannot read: " + ec.message()
                                                                                         : "no such file or folder");
  if (options.maxFieldBytes == 0) sink.fatal(0, "the maximum field size must be at least 1 byte");

  if (fs::is_directory(status)) {
    if (options.format != DataFormat::Auto && options.format != DataFormat::Folder)
      sink.fatal(0, std::string("is a folder, not a ") + toString(options.format) + " file: give a file, or read the "
                    "folder as label subfolders of .txt files (--format folder)");
    result.format = DataFormat::Folder;
    result.notes.push_back("format: folder (label subfolders of .txt files)");
    detail::loadFolder(file, options, sink, result);
  } else {
    if (!fs::is_regular_file(status)) sink.fatal(0, "not a regular file (a device or a pipe?): give a data file");
    if (options.format == DataFormat::Folder)
      sink.fatal(0, "is a file, not a folder: the folder format reads a folder of label subfolders");
    ByteSource source = [&] {
      try {
        return ByteSource::openFile(file, options.readChunkBytes);
      } catch (const std::exception& e) {
        sink.fatal(0, withoutPath(e.what(), name));
      }
    }();
    try {
      source.ensure(64 * 1024);
      const std::string_view head = source.window();
      if (const std::string what = describeNonTextFile(head); !what.empty()) sink.fatal(0, what);
      result.format = options.format == DataFormat::Auto ? detectFormat(file, false, head) : options.format;
      result.notes.push_back(std::string("format: ") + toString(result.format) +
                             (options.format == DataFormat::Auto ? " (detected)" : ""));
      switch (result.format) {
        case DataFormat::Csv: detail::loadDelimited(source, 0, options, sink, result); break;
        case DataFormat::Tsv: detail::loadDelimited(source, '\t', options, sink, result); break;
        case DataFormat::Jsonl: detail::loadJsonl(source, options, sink, result); break;
        case DataFormat::Lines: detail::loadLines(source, options, sink, result); break;
        case DataFormat::Text: detail::loadWholeText(source, options, sink, result); break;
        case DataFormat::Fortune: detail::loadFortune(source, options, sink, result); break;
        case DataFormat::Auto:
        case DataFormat::Folder: sink.fatal(0, "internal error: no loader for this format"); break;
      }
    } catch (const DataError&) {
      throw;
    } catch (const std::exception& e) {  // a read error in the middle of the file
      sink.fatal(0, withoutPath(e.what(), name));
    }
  }
  checkForTask(options, sink, result);
  result.skipped = std::move(sink.skipped);
  result.warnings = std::move(sink.warnings);
  return result;
}

}  // namespace fts::data
