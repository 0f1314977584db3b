#include "core/augment/DatasetAugmentation.h"

#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <mutex>
#include <thread>

namespace fts::augment {
namespace {

using Json = nlohmann::ordered_json;

// RFC 4180: quoted when it holds the delimiter, a quote, a line break or edge spaces.
void appendField(std::string& out, std::string_view field, char delimiter) {
  const bool quote = field.find_first_of(std::string("\"\r\n") + delimiter) != std::string_view::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

struct Columns {
  std::string text, label, response;
};

void appendRow(std::string& out, data::DataFormat format, char delimiter, const Columns& cols, const data::Sample& s,
               std::string_view text, std::int64_t sourceRow, const std::string& ops) {
  if (format == data::DataFormat::Csv || format == data::DataFormat::Tsv) {
    appendField(out, text, delimiter);
    if (!cols.label.empty()) out.push_back(delimiter), appendField(out, s.label, delimiter);
    if (!cols.response.empty()) out.push_back(delimiter), appendField(out, s.response, delimiter);
    out.push_back(delimiter);
    out += std::to_string(sourceRow);
    out.push_back(delimiter);
    appendField(out, ops, delimiter);
    out.push_back('\n');
    return;
  }
  Json j;
  j[cols.text] = text;
  if (!cols.label.empty()) j[cols.label] = s.label;
  if (!cols.response.empty()) j[cols.response] = s.response;
  j["source_row"] = sourceRow;
  j["augment_ops"] = ops;
  out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.push_back('\n');
}

}  // namespace

std::filesystem::path defaultLogPath(const std::filesystem::path& output) {
  auto log = output;
  log.replace_extension(".changes.jsonl");
  return log;
}

std::vector<std::vector<Variant>> augmentSamples(const data::Dataset& dataset, const Augmenter& augmenter,
                                                 const DatasetAugmentOptions& options) {
  const std::size_t total = dataset.samples.size();
  std::vector<std::vector<Variant>> variants(total);
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex errorMutex;
  auto work = [&](bool reports) {
    try {
      for (;;) {
        if (failed.load() || (options.cancel && options.cancel->load())) return;
        const std::size_t i = next.fetch_add(1);
        if (i >= total) return;
        const auto& s = dataset.samples[i];
        // Keyed by the source line (the row's identity in its file), else by the index.
        const std::int64_t row = s.line > 0 ? s.line : static_cast<std::int64_t>(i + 1);
        variants[i] = augmenter.augment(s.text, {options.seed, 0, row});
        const std::size_t d = done.fetch_add(1) + 1;
        if (reports && options.progress && (d % 512 == 0 || d == total)) options.progress(d, total);
      }
    } catch (...) {
      std::lock_guard lock(errorMutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::size_t>(threads, std::max<std::size_t>(1, total)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, false);
  work(true);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  if (options.cancel && options.cancel->load()) throw AugmentCancelled();
  if (options.progress) options.progress(done.load(), total);
  return variants;
}

DatasetAugmentResult augmentDataFile(const std::filesystem::path& input, const std::filesystem::path& output,
                                     const Augmenter& augmenter, const DatasetAugmentOptions& options) {
  const data::LoadResult loaded = data::loadDataset(input, options.load);
  const data::Dataset& ds = loaded.dataset;
  DatasetAugmentResult result;
  result.inputFormat = loaded.format;
  const bool delimited = loaded.format == data::DataFormat::Csv || loaded.format == data::DataFormat::Tsv;
  result.outputFormat = delimited || loaded.format == data::DataFormat::Jsonl ? loaded.format : data::DataFormat::Jsonl;
  result.output = output;
  result.log = options.logFile.empty() ? defaultLogPath(output) : options.logFile;
  if (std::filesystem::absolute(result.log) == std::filesystem::absolute(output))
    throw std::runtime_error(output.string() + ": the change log needs a file of its own (give another --log)");
  result.sourceRows = ds.samples.size();

  // Column names as the input has them; plain text gets "text" (and "label" / "response").
  Columns cols;
  cols.text = loaded.textColumn.empty() ? (ds.paired() ? "prompt" : "text") : loaded.textColumn;
  if (ds.labelled()) cols.label = loaded.labelColumn.empty() ? "label" : loaded.labelColumn;
  if (ds.paired()) cols.response = loaded.responseColumn.empty() ? "response" : loaded.responseColumn;
  result.textColumn = cols.text, result.labelColumn = cols.label, result.responseColumn = cols.response;

  const auto variants = augmentSamples(ds, augmenter, options);

  const char delimiter = result.outputFormat == data::DataFormat::Tsv ? '\t' : (loaded.delimiter ? loaded.delimiter : ',');
  std::string out, log;
  if (delimited) {
    appendField(out, cols.text, delimiter);
    if (!cols.label.empty()) out.push_back(delimiter), appendField(out, cols.label, delimiter);
    if (!cols.response.empty()) out.push_back(delimiter), appendField(out, cols.response, delimiter);
    out.push_back(delimiter);
    out += "source_row";
    out.push_back(delimiter);
    out += "augment_ops\n";
  }
  const auto wanted = static_cast<std::size_t>(augmenter.options().variants);
  for (std::size_t i = 0; i < ds.samples.size(); ++i) {
    const auto& s = ds.samples[i];
    if (options.keepOriginals) {
      appendRow(out, result.outputFormat, delimiter, cols, s, s.text, s.line, "");
      ++result.rowsWritten;
    }
    if (variants[i].size() < wanted) ++result.samplesShort;
    for (const Variant& v : variants[i]) {
      const std::string ops = opsLabel(v.ops);
      appendRow(out, result.outputFormat, delimiter, cols, s, v.output, s.line, ops);
      log += toJsonLine(v);
      log.push_back('\n');
      ++result.rowsWritten;
      ++result.variants;
      ++result.perOp[ops];
    }
  }
  writeFileAtomically(output, out);
  writeFileAtomically(result.log, log);
  return result;
}

}  // namespace fts::augment
