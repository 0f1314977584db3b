// The SentencePiece shim: see ftspm.h for why it exists. No LibTorch here, ever.
#include "ftspm.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <unordered_map>

struct ftspm_processor {
  sentencepiece::SentencePieceProcessor sp;
};

namespace {

void setError(char* err, size_t cap, const std::string& msg) {
  if (!err || cap == 0) return;
  const size_t n = std::min(cap - 1, msg.size());
  std::memcpy(err, msg.data(), n);
  err[n] = '\0';
}

// Adapts the C callback to SentencePiece's iterator interface.
class CallbackSentences final : public sentencepiece::SentenceIterator {
 public:
  CallbackSentences(ftspm_next_sentence next, void* user) : next_(next), user_(user) { Next(); }
  bool done() const override { return done_; }
  void Next() override {
    const char* text = nullptr;
    size_t len = 0;
    if (next_(user_, &text, &len)) {
      value_.assign(text, len);
    } else {
      done_ = true;
      value_.clear();
    }
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  ftspm_next_sentence next_;
  void* user_;
  std::string value_;
  bool done_ = false;
};

}  // namespace

extern "C" {

int ftspm_abi_version(void) { return FTSPM_ABI_VERSION; }

ftspm_processor* ftspm_train(const char* const* keys, const char* const* values, size_t n_flags,
                             ftspm_next_sentence next, void* user, char* err, size_t err_cap) {
  try {
    std::unordered_map<std::string, std::string> flags;
    for (size_t i = 0; i < n_flags; ++i) flags[keys[i]] = values[i];
    // The model comes back serialized instead of being written under model_prefix.
    flags.erase("model_prefix");
    std::string proto;
    sentencepiece::util::Status status;
    if (next) {
      CallbackSentences sentences(next, user);
      status = sentencepiece::SentencePieceTrainer::Train(flags, &sentences, &proto);
    } else {
      status = sentencepiece::SentencePieceTrainer::Train(flags, nullptr, &proto);
    }
    if (!status.ok()) {
      setError(err, err_cap, status.ToString());
      return nullptr;
    }
    return ftspm_load_bytes(proto.data(), proto.size(), err, err_cap);
  } catch (const std::exception& e) {
    setError(err, err_cap, e.what());
    return nullptr;
  }
}

ftspm_processor* ftspm_load(const char* model_path, char* err, size_t err_cap) {
  auto* p = new (std::nothrow) ftspm_processor;
  if (!p) return nullptr;
  const auto status = p->sp.Load(model_path);
  if (!status.ok()) {
    setError(err, err_cap, std::string(model_path) + ": " + status.ToString());
    delete p;
    return nullptr;
  }
  return p;
}

ftspm_processor* ftspm_load_bytes(const char* bytes, size_t len, char* err, size_t err_cap) {
  auto* p = new (std::nothrow) ftspm_processor;
  if (!p) return nullptr;
  const auto status = p->sp.LoadFromSerializedProto(std::string_view(bytes, len));
  if (!status.ok()) {
    setError(err, err_cap, status.ToString());
    delete p;
    return nullptr;
  }
  return p;
}

void ftspm_free(ftspm_processor* p) { delete p; }

size_t ftspm_serialize(const ftspm_processor* p, char* out, size_t cap) {
  const std::string proto = p->sp.serialized_model_proto();
  if (out && cap >= proto.size()) std::memcpy(out, proto.data(), proto.size());
  return proto.size();
}

long ftspm_encode(const ftspm_processor* p, const char* text, size_t len, int* ids, size_t cap) {
  std::vector<int> out;
  if (!p->sp.Encode(std::string_view(text, len), &out).ok()) return -1;
  std::copy_n(out.begin(), std::min(cap, out.size()), ids);
  return static_cast<long>(out.size());
}

long ftspm_decode(const ftspm_processor* p, const int* ids, size_t n, char* out, size_t cap) {
  std::string text;
  const int size = p->sp.GetPieceSize();
  std::vector<int> valid;
  valid.reserve(n);
  for (size_t i = 0; i < n; ++i)
    if (ids[i] >= 0 && ids[i] < size) valid.push_back(ids[i]);
  if (!p->sp.Decode(valid, &text).ok()) return -1;
  if (out && cap > 0) {
    const size_t k = std::min(cap - 1, text.size());
    std::memcpy(out, text.data(), k);
    out[k] = '\0';
  }
  return static_cast<long>(text.size());
}

int ftspm_vocab_size(const ftspm_processor* p) { return p->sp.GetPieceSize(); }

long ftspm_id_to_piece(const ftspm_processor* p, int id, char* out, size_t cap) {
  if (id < 0 || id >= p->sp.GetPieceSize()) return -1;
  const std::string& piece = p->sp.IdToPiece(id);
  if (out && cap > 0) {
    const size_t k = std::min(cap - 1, piece.size());
    std::memcpy(out, piece.data(), k);
    out[k] = '\0';
  }
  return static_cast<long>(piece.size());
}

int ftspm_piece_to_id(const ftspm_processor* p, const char* piece, size_t len) {
  return p->sp.PieceToId(std::string_view(piece, len));
}

float ftspm_score(const ftspm_processor* p, int id) {
  if (id < 0 || id >= p->sp.GetPieceSize()) return 0.0f;
  return p->sp.GetScore(id);
}

int ftspm_token_type(const ftspm_processor* p, int id) {
  if (id < 0 || id >= p->sp.GetPieceSize()) return 0;
  if (p->sp.IsUnknown(id)) return 2;
  if (p->sp.IsControl(id)) return 3;
  if (p->sp.IsUnused(id)) return 5;
  if (p->sp.IsByte(id)) return 6;
  // User-defined symbols are plain pieces to the processor's API; the model proto knows more,
  // but SentencePiece 0.1.97 exposes no accessor without protobuf headers. Report them as normal.
  return 1;
}

int ftspm_unk_id(const ftspm_processor* p) { return p->sp.unk_id(); }
int ftspm_bos_id(const ftspm_processor* p) { return p->sp.bos_id(); }
int ftspm_eos_id(const ftspm_processor* p) { return p->sp.eos_id(); }
int ftspm_pad_id(const ftspm_processor* p) { return p->sp.pad_id(); }

}  // extern "C"
