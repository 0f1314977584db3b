#include "core/text/SentencePieceLibrary.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace fts {
namespace {

std::string g_loadedFrom;

std::filesystem::path executableDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

std::vector<std::filesystem::path> candidatePaths() {
  std::vector<std::filesystem::path> paths;
  if (const char* env = std::getenv("FTSTUDIO_SPM_SHIM"); env && *env) paths.emplace_back(env);
  const auto dir = executableDir();
  paths.push_back(dir / "libftspm.so");                               // build tree: build/bin
  paths.push_back(dir / ".." / "lib" / "finetune-studio" / "libftspm.so");  // installed (.deb)
  return paths;
}

template <typename Fn>
void bind(void* handle, Fn& fn, const char* name, const std::string& path) {
  fn = reinterpret_cast<Fn>(dlsym(handle, name));
  if (!fn) throw std::runtime_error(path + ": SentencePiece shim lacks symbol " + name + " (rebuild it)");
}

SentencePieceApi loadApi() {
  std::string tried;
  for (const auto& path : candidatePaths()) {
    if (!std::filesystem::exists(path)) {
      tried += "\n  " + path.string() + " (absent)";
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle) {
      tried += "\n  " + path.string() + " (" + dlerror() + ")";
      continue;
    }
    const std::string p = path.string();
    auto abi = reinterpret_cast<decltype(&ftspm_abi_version)>(dlsym(handle, "ftspm_abi_version"));
    if (!abi || abi() != FTSPM_ABI_VERSION) {
      tried += "\n  " + p + " (wrong ABI version: rebuild)";
      dlclose(handle);
      continue;
    }
    SentencePieceApi api{};
    bind(handle, api.train, "ftspm_train", p);
    bind(handle, api.load, "ftspm_load", p);
    bind(handle, api.loadBytes, "ftspm_load_bytes", p);
    bind(handle, api.free, "ftspm_free", p);
    bind(handle, api.serialize, "ftspm_serialize", p);
    bind(handle, api.encode, "ftspm_encode", p);
    bind(handle, api.decode, "ftspm_decode", p);
    bind(handle, api.vocabSize, "ftspm_vocab_size", p);
    bind(handle, api.idToPiece, "ftspm_id_to_piece", p);
    bind(handle, api.pieceToId, "ftspm_piece_to_id", p);
    bind(handle, api.score, "ftspm_score", p);
    bind(handle, api.tokenType, "ftspm_token_type", p);
    bind(handle, api.unkId, "ftspm_unk_id", p);
    bind(handle, api.bosId, "ftspm_bos_id", p);
    bind(handle, api.eosId, "ftspm_eos_id", p);
    bind(handle, api.padId, "ftspm_pad_id", p);
    g_loadedFrom = p;
    return api;  // the handle stays open for the life of the process
  }
  throw std::runtime_error("cannot load the SentencePiece shim libftspm.so; looked in:" + tried +
                           "\nBuild it (cmake --build build) or set FTSTUDIO_SPM_SHIM to its path.");
}

}  // namespace

const SentencePieceApi& sentencePiece() {
  static std::once_flag once;
  static SentencePieceApi api;
  static std::string error;
  std::call_once(once, [] {
    try {
      api = loadApi();
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  if (!error.empty()) throw std::runtime_error(error);
  return api;
}

std::string sentencePieceShimPath() { return g_loadedFrom; }

}  // namespace fts
