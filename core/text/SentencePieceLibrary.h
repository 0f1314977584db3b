#pragma once
// Loads the SentencePiece shim (libftspm.so) at run time and hands out its C functions.
// Loaded with RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND: the shim's protobuf (inside Debian's
// libsentencepiece) then binds to itself and never to LibTorch's, which would crash the process.
#include "core/text/spm_shim/ftspm.h"

#include <string>

namespace fts {

struct SentencePieceApi {
  decltype(&ftspm_train) train;
  decltype(&ftspm_load) load;
  decltype(&ftspm_load_bytes) loadBytes;
  decltype(&ftspm_free) free;
  decltype(&ftspm_serialize) serialize;
  decltype(&ftspm_encode) encode;
  decltype(&ftspm_decode) decode;
  decltype(&ftspm_vocab_size) vocabSize;
  decltype(&ftspm_id_to_piece) idToPiece;
  decltype(&ftspm_piece_to_id) pieceToId;
  decltype(&ftspm_score) score;
  decltype(&ftspm_token_type) tokenType;
  decltype(&ftspm_unk_id) unkId;
  decltype(&ftspm_bos_id) bosId;
  decltype(&ftspm_eos_id) eosId;
  decltype(&ftspm_pad_id) padId;
};

// The process-wide API, loaded on first use. Throws std::runtime_error saying where it looked
// when the shim cannot be found or loaded. Thread-safe.
const SentencePieceApi& sentencePiece();

// Where the shim was loaded from (empty before the first successful load).
std::string sentencePieceShimPath();

}  // namespace fts
