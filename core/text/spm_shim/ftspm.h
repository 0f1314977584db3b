/* ftspm: the only code that touches SentencePiece, behind a plain C interface.
 *
 * Why: Debian's libsentencepiece.so.0 carries and exports its own protobuf, and LibTorch loads
 * libprotobuf.so.32; linked into one program they crash before main(). This shim is a shared
 * library of its own, loaded with dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND) so its protobuf
 * symbols bind inside it and never meet LibTorch's. See core/text/SentencePieceLibrary.cpp.
 *
 * Conventions: functions return 0 on success and non-zero on failure, writing a message into
 * err (err_cap bytes, always NUL-terminated) when err is not NULL. Sizes are in bytes. */
#ifndef FTSPM_H
#define FTSPM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FTSPM_ABI_VERSION 1

#ifndef FTSPM_EXPORT
#define FTSPM_EXPORT
#endif

typedef struct ftspm_processor ftspm_processor;

/* Supplies training sentences one by one: sets *text and *len and returns 1, or returns 0 at the end. */
typedef int (*ftspm_next_sentence)(void* user, const char** text, size_t* len);

FTSPM_EXPORT int ftspm_abi_version(void);

/* Trains a model and returns it loaded (NULL on failure, message in err). keys/values are
 * SentencePiece trainer flags without "--" (vocab_size, model_type, character_coverage,
 * byte_fallback, user_defined_symbols, ...). Sentences come from `next` when it is not NULL, else
 * from the "input" flag. Nothing is written to disk: the caller saves ftspm_serialize()'s bytes. */
FTSPM_EXPORT ftspm_processor* ftspm_train(const char* const* keys, const char* const* values, size_t n_flags,
                                          ftspm_next_sentence next, void* user, char* err, size_t err_cap);

/* Loads from a tokenizer.model file, or from its bytes. NULL on failure (message in err). */
FTSPM_EXPORT ftspm_processor* ftspm_load(const char* model_path, char* err, size_t err_cap);
FTSPM_EXPORT ftspm_processor* ftspm_load_bytes(const char* bytes, size_t len, char* err, size_t err_cap);
FTSPM_EXPORT void ftspm_free(ftspm_processor* p);

/* Serialized model proto: returns its size; copies it when cap is large enough. */
FTSPM_EXPORT size_t ftspm_serialize(const ftspm_processor* p, char* out, size_t cap);

/* Encodes UTF-8 text to ids. Returns the number of ids (copies at most cap of them), or -1. */
FTSPM_EXPORT long ftspm_encode(const ftspm_processor* p, const char* text, size_t len, int* ids, size_t cap);

/* Decodes ids to UTF-8. Returns the byte length (copies at most cap-1 bytes + NUL), or -1. */
FTSPM_EXPORT long ftspm_decode(const ftspm_processor* p, const int* ids, size_t n, char* out, size_t cap);

FTSPM_EXPORT int ftspm_vocab_size(const ftspm_processor* p);
/* Copies the piece of id into out; returns its byte length, or -1 for an id out of range. */
FTSPM_EXPORT long ftspm_id_to_piece(const ftspm_processor* p, int id, char* out, size_t cap);
FTSPM_EXPORT int ftspm_piece_to_id(const ftspm_processor* p, const char* piece, size_t len);
FTSPM_EXPORT float ftspm_score(const ftspm_processor* p, int id);
/* 1 normal, 2 unknown, 3 control, 4 user defined, 5 unused, 6 byte (as in llama.cpp and GGUF). */
FTSPM_EXPORT int ftspm_token_type(const ftspm_processor* p, int id);
FTSPM_EXPORT int ftspm_unk_id(const ftspm_processor* p);
FTSPM_EXPORT int ftspm_bos_id(const ftspm_processor* p);
FTSPM_EXPORT int ftspm_eos_id(const ftspm_processor* p);
FTSPM_EXPORT int ftspm_pad_id(const ftspm_processor* p);

#ifdef __cplusplus
}
#endif

#endif
