// A folder of label subfolders, each holding .txt files: one sample per file, label = subfolder name.
#include "core/data/LoaderSupport.h"

#include <algorithm>
#include <fstream>

namespace fts::data::detail {
namespace {

namespace fs = std::filesystem;

std::vector<fs::directory_entry> sortedEntries(const fs::path& folder, IssueSink& sink) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) out.push_back(*it);
  if (ec) sink.fatal(0, folder.string() + ": cannot list the folder: " + ec.message());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  return out;
}

bool isTextFile(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".txt" || ext == ".text";
}

std::string listSome(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 5) out += ", ...";
  return out;
}

}  // namespace

void loadFolder(const fs::path& folder, const LoadOptions& options, IssueSink& sink, LoadResult& result) {
  std::vector<fs::directory_entry> labels;
  std::vector<std::string> unlabelled;
  for (const auto& e : sortedEntries(folder, sink)) {
    std::error_code ec;
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;  // hidden files and folders (.git, .DS_Store)
    if (e.is_directory(ec)) labels.push_back(e);
    else unlabelled.push_back(name);
  }
  if (labels.empty())
    sink.fatal(0, "no label subfolders: put each class's .txt files in a subfolder named after its label "
                  "(e.g. FOLDER/sports/001.txt); for one sample per line give a text file instead");
  if (!unlabelled.empty())
    sink.warn(0, std::to_string(unlabelled.size()) + (unlabelled.size() == 1 ? " file" : " files") +
                     " directly in the folder not read (" + listSome(unlabelled) +
                     "): without a subfolder there is no label; move each into its label's subfolder");

  for (const auto& dir : labels) {
    const std::string label = dir.path().filename().string();
    if (findUtf8Problem(label)) {
      sink.warnIn(dir.path().string(), 0, "this subfolder is not read: its name is not valid UTF-8; rename it");
      continue;
    }
    std::vector<std::string> ignored;
    std::size_t texts = 0;
    for (const auto& e : sortedEntries(dir.path(), sink)) {
      std::error_code ec;
      const std::string name = e.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      if (!e.is_regular_file(ec) || !isTextFile(e.path())) {
        ignored.push_back(name + (e.is_directory(ec) ? "/" : ""));
        continue;
      }
      ++texts;
      ++result.rowsRead;
      const std::string file = e.path().string();
      const auto size = e.file_size(ec);
      if (ec) {
        sink.rowIn(file, 0, 0, "cannot read the file: " + ec.message());
        continue;
      }
      if (size > options.maxFieldBytes) {
        sink.rowIn(file, 0, 0, "file larger than the maximum of " + std::to_string(options.maxFieldBytes) +
                                   " bytes for one sample: split it or raise the maximum field size");
        continue;
      }
      std::string content(static_cast<std::size_t>(size), '\0');
      std::ifstream in(e.path(), std::ios::binary);
      if (!in.read(content.data(), static_cast<std::streamsize>(content.size()))) {
        sink.rowIn(file, 0, 0, "cannot read the file");
        continue;
      }
      std::string_view text(content);
      if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
      if (const auto p = findUtf8Problem(text)) {
        std::int64_t line, column;
        locateByte(text, p->offset, 1, line, column);
        sink.rowIn(file, line, column, describeUtf8Problem(*p, p->offset + (content.size() - text.size())));
        continue;
      }
      if (isBlank(text)) {
        sink.rowIn(file, 0, 0, "empty file: write the sample's text in it, or delete it");
        continue;
      }
      result.dataset.files.push_back(file);
      result.dataset.samples.push_back(
          Sample{trim(text), label, {}, 0, static_cast<std::int32_t>(result.dataset.files.size() - 1)});
    }
    if (!ignored.empty())
      sink.warnIn(dir.path().string(), 0, std::to_string(ignored.size()) + " entries are not .txt files and are not read (" +
                                              listSome(ignored) + "): give samples as .txt files");
    if (texts == 0) sink.warnIn(dir.path().string(), 0, "no .txt files, so no samples of label '" + label + "'");
  }
  result.notes.push_back(std::to_string(labels.size()) + " label subfolders");
}

}  // namespace fts::data::detail
