#include "core/text/SentencePieceTokenizer.h"

#include "core/text/SentencePieceLibrary.h"
#include "core/util/AtomicFile.h"
#include "core/util/Runtime.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <thread>

namespace fts {
namespace {

constexpr size_t kErrCap = 2048;

struct SentenceCursor {
  const std::vector<std::string>* sentences;
  size_t next = 0;
};

int nextSentence(void* user, const char** text, size_t* len) {
  auto* cursor = static_cast<SentenceCursor*>(user);
  while (cursor->next < cursor->sentences->size()) {
    const std::string& s = (*cursor->sentences)[cursor->next++];
    if (s.empty()) continue;
    *text = s.data();
    *len = s.size();
    return 1;
  }
  return 0;
}

std::vector<std::pair<std::string, std::string>> trainerFlags(const TokenizerTrainOptions& o) {
  if (o.modelType != "unigram" && o.modelType != "bpe")
    throw std::invalid_argument("tokenizer model type must be 'unigram' or 'bpe', not '" + o.modelType + "'");
  if (o.vocabSize < 8) throw std::invalid_argument("tokenizer vocabulary size must be at least 8");
  std::vector<std::pair<std::string, std::string>> flags = {
      {"vocab_size", std::to_string(o.vocabSize)},
      {"model_type", o.modelType},
      {"character_coverage", std::to_string(o.characterCoverage)},
      {"byte_fallback", o.byteFallback ? "true" : "false"},
      {"hard_vocab_limit", o.hardVocabLimit ? "true" : "false"},
      {"max_sentence_length", std::to_string(o.maxSentenceLength)},
      {"num_threads", std::to_string(o.threads > 0 ? o.threads : availableCores())},
      {"unk_id", "0"}, {"bos_id", "1"}, {"eos_id", "2"}, {"pad_id", "3"},
      {"split_digits", "true"},
      {"minloglevel", "2"},  // keep SentencePiece's own chatter off the user's terminal
  };
  if (!o.userSymbols.empty()) {
    std::string joined;
    for (const auto& s : o.userSymbols) joined += (joined.empty() ? "" : ",") + s;
    flags.emplace_back("user_defined_symbols", joined);
  }
  return flags;
}

ftspm_processor* runTraining(const std::vector<std::pair<std::string, std::string>>& flags, SentenceCursor* cursor) {
  const auto& api = sentencePiece();
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : flags) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  std::array<char, kErrCap> err{};
  ftspm_processor* p = api.train(keys.data(), values.data(), keys.size(), cursor ? nextSentence : nullptr, cursor,
                                 err.data(), err.size());
  if (!p) throw std::runtime_error("tokenizer training failed: " + std::string(err.data()));
  return p;
}

}  // namespace

SentencePieceTokenizer SentencePieceTokenizer::load(const std::filesystem::path& modelFile) {
  const auto& api = sentencePiece();
  std::array<char, kErrCap> err{};
  ftspm_processor* p = api.load(modelFile.c_str(), err.data(), err.size());
  if (!p) throw std::runtime_error("cannot load tokenizer: " + std::string(err.data()));
  return SentencePieceTokenizer(p);
}

SentencePieceTokenizer SentencePieceTokenizer::fromModelFolder(const std::filesystem::path& folder) {
  const auto model = folder / "tokenizer.model";
  std::error_code ec;
  if (std::filesystem::is_regular_file(model, ec)) return load(model);
  std::string held;
  int shown = 0;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end && shown < 8; it.increment(ec), ++shown)
    held += (held.empty() ? "" : ", ") + it->path().filename().string();
  std::string hint;
  if (std::filesystem::exists(folder / "tokenizer.json", ec))
    hint = " (it has tokenizer.json, a Hugging Face fast tokenizer; only SentencePiece tokenizer.model is supported)";
  throw std::runtime_error(folder.string() + ": no tokenizer.model in this folder" + hint + "; it holds: " +
                           (held.empty() ? "nothing" : held));
}

SentencePieceTokenizer SentencePieceTokenizer::loadFileOrFolder(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fromModelFolder(path);
  if (!std::filesystem::exists(path, ec)) throw std::runtime_error(path.string() + ": no such tokenizer file or model folder");
  return load(path);
}

SentencePieceTokenizer SentencePieceTokenizer::fromBytes(std::string_view serialized) {
  const auto& api = sentencePiece();
  std::array<char, kErrCap> err{};
  ftspm_processor* p = api.loadBytes(serialized.data(), serialized.size(), err.data(), err.size());
  if (!p) throw std::runtime_error("cannot load tokenizer from bytes: " + std::string(err.data()));
  return SentencePieceTokenizer(p);
}

SentencePieceTokenizer SentencePieceTokenizer::train(const std::vector<std::string>& sentences,
                                                     const TokenizerTrainOptions& options,
                                                     const std::filesystem::path& modelFile) {
  SentenceCursor cursor{&sentences};
  ftspm_processor* p = nullptr;
  try {
    p = runTraining(trainerFlags(options), &cursor);
  } catch (const std::runtime_error& e) {
    // The text needs more single characters (plus 256 byte pieces) than the vocabulary holds.
    // Unless the size is a hard limit, grow the vocabulary to fit them rather than fail.
    const std::string msg = e.what();
    const auto at = msg.find("smaller than required_chars. ");
    const auto vs = msg.find(" vs ", at);
    if (options.hardVocabLimit || at == std::string::npos || vs == std::string::npos) throw;
    TokenizerTrainOptions grown = options;
    grown.vocabSize = std::stoi(msg.substr(vs + 4)) + 64;
    cursor.next = 0;
    p = runTraining(trainerFlags(grown), &cursor);
  }
  SentencePieceTokenizer tokenizer(p);
  writeFileAtomically(modelFile, tokenizer.serialized());
  return tokenizer;
}

SentencePieceTokenizer SentencePieceTokenizer::trainFromFiles(const std::vector<std::filesystem::path>& inputs,
                                                              const TokenizerTrainOptions& options,
                                                              const std::filesystem::path& modelFile) {
  if (inputs.empty()) throw std::invalid_argument("tokenizer training needs at least one input file");
  std::string joined;
  for (const auto& f : inputs) {
    if (!std::filesystem::exists(f)) throw std::runtime_error(f.string() + ": no such file");
    if (f.string().find(',') != std::string::npos)
      throw std::invalid_argument(f.string() + ": SentencePiece cannot read a path holding a comma; rename it");
    joined += (joined.empty() ? "" : ",") + f.string();
  }
  auto flags = trainerFlags(options);
  flags.emplace_back("input", joined);
  SentencePieceTokenizer tokenizer(runTraining(flags, nullptr));
  writeFileAtomically(modelFile, tokenizer.serialized());
  return tokenizer;
}

SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceTokenizer&& o) noexcept : processor_(o.processor_) {
  o.processor_ = nullptr;
}

SentencePieceTokenizer& SentencePieceTokenizer::operator=(SentencePieceTokenizer&& o) noexcept {
  if (this != &o) {
    if (processor_) sentencePiece().free(processor_);
    processor_ = o.processor_;
    o.processor_ = nullptr;
  }
  return *this;
}

SentencePieceTokenizer::~SentencePieceTokenizer() {
  if (processor_) sentencePiece().free(processor_);
}

std::vector<int> SentencePieceTokenizer::encode(std::string_view text) const {
  const auto& api = sentencePiece();
  // Most text encodes to fewer ids than bytes; one retry covers the rest.
  std::vector<int> ids(text.size() / 2 + 16);
  long n = api.encode(processor_, text.data(), text.size(), ids.data(), ids.size());
  if (n < 0) throw std::runtime_error("tokenizer failed to encode text");
  if (static_cast<size_t>(n) > ids.size()) {
    ids.resize(static_cast<size_t>(n));
    n = api.encode(processor_, text.data(), text.size(), ids.data(), ids.size());
  }
  ids.resize(static_cast<size_t>(n));
  return ids;
}

std::vector<std::vector<int>> SentencePieceTokenizer::encodeMany(const std::vector<std::string_view>& texts,
                                                                int threads) const {
  std::vector<std::vector<int>> out(texts.size());
  const std::size_t n = texts.size();
  std::size_t workers = static_cast<std::size_t>(threads > 0 ? threads : availableCores());
  workers = std::max<std::size_t>(1, std::min(workers, n / 64 + 1));  // threads only pay off on many texts
  if (workers == 1) {
    for (std::size_t i = 0; i < n; ++i) out[i] = encode(texts[i]);
    return out;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(workers);
  for (std::size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      try {
        for (std::size_t i = w * n / workers; i < (w + 1) * n / workers; ++i) out[i] = encode(texts[i]);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

std::string SentencePieceTokenizer::decode(const std::vector<int>& ids) const {
  const auto& api = sentencePiece();
  const long n = api.decode(processor_, ids.data(), ids.size(), nullptr, 0);
  if (n < 0) throw std::runtime_error("tokenizer failed to decode ids");
  std::string text(static_cast<size_t>(n) + 1, '\0');
  api.decode(processor_, ids.data(), ids.size(), text.data(), text.size());
  text.resize(static_cast<size_t>(n));
  return text;
}

int SentencePieceTokenizer::vocabSize() const { return sentencePiece().vocabSize(processor_); }

std::string SentencePieceTokenizer::piece(int id) const {
  const auto& api = sentencePiece();
  const long n = api.idToPiece(processor_, id, nullptr, 0);
  if (n < 0) return {};
  std::string s(static_cast<size_t>(n) + 1, '\0');
  api.idToPiece(processor_, id, s.data(), s.size());
  s.resize(static_cast<size_t>(n));
  return s;
}

int SentencePieceTokenizer::pieceId(std::string_view piece) const {
  // SentencePiece answers the unknown id for a piece it lacks; the interface says -1.
  const int id = sentencePiece().pieceToId(processor_, piece.data(), piece.size());
  if (id == unkId() && this->piece(id) != piece) return -1;
  return id;
}

std::vector<int> SentencePieceTokenizer::addSpecialTokens(const std::vector<int>& ids) const {
  std::vector<int> framed;
  framed.reserve(ids.size() + 1);
  if (bosId() >= 0) framed.push_back(bosId());
  framed.insert(framed.end(), ids.begin(), ids.end());
  return framed;
}

std::vector<std::string> SentencePieceTokenizer::saveFiles(const std::filesystem::path& folder) const {
  writeFileAtomically(folder / "tokenizer.model", serialized());
  return {"tokenizer.model"};
}
float SentencePieceTokenizer::score(int id) const { return sentencePiece().score(processor_, id); }
int SentencePieceTokenizer::tokenType(int id) const { return sentencePiece().tokenType(processor_, id); }
int SentencePieceTokenizer::unkId() const { return sentencePiece().unkId(processor_); }
int SentencePieceTokenizer::bosId() const { return sentencePiece().bosId(processor_); }
int SentencePieceTokenizer::eosId() const { return sentencePiece().eosId(processor_); }
int SentencePieceTokenizer::padId() const { return sentencePiece().padId(processor_); }

std::string SentencePieceTokenizer::serialized() const {
  const auto& api = sentencePiece();
  std::string bytes(api.serialize(processor_, nullptr, 0), '\0');
  api.serialize(processor_, bytes.data(), bytes.size());
  return bytes;
}

}  // namespace fts
