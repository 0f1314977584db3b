#include "core/text/Tokenizer.h"

#include "core/text/HfTokenizerJson.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/util/Runtime.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace fts {
namespace fs = std::filesystem;

std::string tokenizerKindName(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::SentencePiece: return "sentencepiece";
    case TokenizerKind::WordPiece: return "wordpiece";
    case TokenizerKind::ByteLevelBpe: return "bpe";
  }
  return "unknown";
}

std::vector<std::vector<int>> Tokenizer::encodeMany(const std::vector<std::string_view>& texts, int threads) const {
  std::vector<std::vector<int>> out(texts.size());
  const int cores = std::max(1, availableCores());
  const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(threads > 0 ? threads : cores), texts.size());
  if (workers <= 1) {
    for (std::size_t i = 0; i < texts.size(); ++i) out[i] = encode(texts[i]);
    return out;
  }
  // Each worker takes the next unclaimed text; results land at their own index, so the order
  // is the input's whatever the scheduling.
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failureMutex;
  const auto work = [&] {
    for (std::size_t i = next++; i < texts.size(); i = next++) {
      try {
        out[i] = encode(texts[i]);
      } catch (...) {
        std::lock_guard lock(failureMutex);
        if (!failure) failure = std::current_exception();
        next = texts.size();
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  return out;
}

fs::path findTokenizerFile(const fs::path& folder) {
  std::error_code ec;
  for (const char* name : {"tokenizer.model", "tokenizer.json"})
    if (fs::is_regular_file(folder / name, ec)) return folder / name;
  return {};
}

namespace {

std::unique_ptr<Tokenizer> loadFile(const fs::path& file) {
  if (file.filename() == "tokenizer.json" || file.extension() == ".json") return loadHfTokenizerJson(file);
  return std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::loadFileOrFolder(file));
}

// A short listing of what a folder holds, for the message when no tokenizer is in it.
std::string folderContents(const fs::path& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  if (names.empty()) return "it is empty";
  std::string s = "it holds ";
  for (std::size_t i = 0; i < names.size() && i < 12; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > 12) s += ", ... (" + std::to_string(names.size()) + " entries)";
  return s;
}

}  // namespace

std::unique_ptr<Tokenizer> loadTokenizer(const fs::path& folderOrFile) {
  std::error_code ec;
  if (!fs::exists(folderOrFile, ec)) throw std::runtime_error(folderOrFile.string() + ": no such file or folder");
  if (!fs::is_directory(folderOrFile, ec)) return loadFile(folderOrFile);
  const fs::path file = findTokenizerFile(folderOrFile);
  if (file.empty())
    throw std::runtime_error(folderOrFile.string() + ": no tokenizer.model (SentencePiece) or tokenizer.json (Hugging Face) in this folder; " +
                             folderContents(folderOrFile));
  return loadFile(file);
}

}  // namespace fts
