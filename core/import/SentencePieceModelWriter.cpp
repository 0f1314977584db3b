#include "core/import/SentencePieceModelWriter.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace fts {
namespace {

void varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void key(std::string& out, uint32_t field, uint32_t wire) { varint(out, (uint64_t{field} << 3) | wire); }
// int32 fields are varints of their 64-bit two's complement: -1 takes ten bytes, as protobuf writes it.
void intField(std::string& out, uint32_t field, int64_t v) {
  key(out, field, 0);
  varint(out, static_cast<uint64_t>(v));
}
void bytesField(std::string& out, uint32_t field, const std::string& bytes) {
  key(out, field, 2);
  varint(out, bytes.size());
  out += bytes;
}
void floatField(std::string& out, uint32_t field, float v) {
  key(out, field, 5);
  char b[4];
  std::memcpy(b, &v, 4);  // little-endian on every machine we build for
  out.append(b, 4);
}

}  // namespace

std::string serializeSentencePieceModel(const SentencePieceModelSpec& spec) {
  const int n = static_cast<int>(spec.pieces.size());
  auto inRange = [&](int id, const char* what) {
    if (id < -1 || id >= n) throw std::invalid_argument(std::string(what) + " id " + std::to_string(id) + " is outside the " + std::to_string(n) + " pieces");
  };
  inRange(spec.unkId, "unk");
  inRange(spec.bosId, "bos");
  inRange(spec.eosId, "eos");
  inRange(spec.padId, "pad");
  if (spec.unkId < 0 || spec.pieces[spec.unkId].type != 2)
    throw std::invalid_argument("SentencePiece needs an unknown piece: the unk id must name a piece of type UNKNOWN (2)");
  int unknowns = 0, bytePieces = 0;
  for (const auto& p : spec.pieces) {
    if (p.type < 1 || p.type > 6) throw std::invalid_argument("piece '" + p.piece + "' has type " + std::to_string(p.type) + " (1 to 6 exist)");
    unknowns += p.type == 2;
    bytePieces += p.type == 6;
  }
  if (unknowns != 1) throw std::invalid_argument("SentencePiece needs exactly one piece of type UNKNOWN, not " + std::to_string(unknowns));

  std::string model;
  for (const auto& p : spec.pieces) {
    std::string piece;
    bytesField(piece, 1, p.piece);
    floatField(piece, 2, p.score);
    intField(piece, 3, p.type);
    bytesField(model, 1, piece);
  }
  std::string trainer;
  intField(trainer, 3, spec.modelType);
  intField(trainer, 4, n);
  if (bytePieces == 256) intField(trainer, 35, 1);
  auto pieceOf = [&](int id) { return spec.pieces[static_cast<size_t>(id)].piece; };
  intField(trainer, 40, spec.unkId);
  intField(trainer, 41, spec.bosId);
  intField(trainer, 42, spec.eosId);
  intField(trainer, 43, spec.padId);
  // SentencePiece finds its special ids by these pieces, so they must be the vocabulary's own.
  bytesField(trainer, 45, pieceOf(spec.unkId));
  if (spec.bosId >= 0) bytesField(trainer, 46, pieceOf(spec.bosId));
  if (spec.eosId >= 0) bytesField(trainer, 47, pieceOf(spec.eosId));
  if (spec.padId >= 0) bytesField(trainer, 48, pieceOf(spec.padId));
  bytesField(model, 2, trainer);
  std::string normalizer;
  bytesField(normalizer, 1, "identity");
  intField(normalizer, 3, 1);  // add_dummy_prefix
  intField(normalizer, 4, 0);  // remove_extra_whitespaces
  intField(normalizer, 5, 1);  // escape_whitespaces
  bytesField(model, 3, normalizer);
  return model;
}

}  // namespace fts
