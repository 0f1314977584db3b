#pragma once
// Serializes a SentencePiece ModelProto (tokenizer.model) from a vocabulary, for GGUF files whose
// tokenizer is "llama" (SentencePiece-style pieces with scores and types). Torch-free, and free of
// protobuf: the few fields are written by hand in protobuf's wire format (varints, length-delimited
// messages, little-endian float32), with sentencepiece_model.proto's field numbers:
//
//   ModelProto      1 pieces (repeated SentencePiece) | 2 trainer_spec | 3 normalizer_spec
//   SentencePiece   1 piece (string) | 2 score (float) | 3 type (NORMAL 1, UNKNOWN 2, CONTROL 3,
//                   USER_DEFINED 4, UNUSED 5, BYTE 6)
//   TrainerSpec     3 model_type (UNIGRAM 1, BPE 2) | 4 vocab_size | 35 byte_fallback | 40 unk_id |
//                   41 bos_id | 42 eos_id | 43 pad_id | 45 unk_piece | 46 bos_piece | 47 eos_piece |
//                   48 pad_piece
//   NormalizerSpec  1 name | 3 add_dummy_prefix | 4 remove_extra_whitespaces | 5 escape_whitespaces
#include <string>
#include <vector>

namespace fts {

struct SentencePieceEntry {
  std::string piece;
  float score = 0.0f;
  int type = 1;  // as SentencePiece::Type above (GGUF's tokenizer.ggml.token_type uses the same numbers)
};

struct SentencePieceModelSpec {
  std::vector<SentencePieceEntry> pieces;
  // BPE: llama.cpp's SentencePiece tokenizer merges the best-scored pair first, which is SentencePiece's
  // BPE; a GGUF file does not say whether its pieces came from a unigram model.
  int modelType = 2;
  int unkId = 0, bosId = -1, eosId = -1, padId = -1;  // -1: none
};

// The serialized ModelProto. Normalizer as Llama's tokenizer.model has it: name "identity", a dummy
// prefix space, spaces kept as they are (no collapsing) and written as U+2581. byte_fallback is set when
// the vocabulary has <0x00>..<0xFF> byte pieces. Throws std::invalid_argument when unkId is not a piece
// of type UNKNOWN (SentencePiece requires exactly one) or an id is out of range.
std::string serializeSentencePieceModel(const SentencePieceModelSpec& spec);

}  // namespace fts
