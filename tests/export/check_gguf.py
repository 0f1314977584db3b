#!/usr/bin/env python3
"""Checks a GGUF file written by Fine-tuning Studio with the `gguf` Python package (llama.cpp's own
reader), against the Hugging Face float32 export of the same model:

  metadata   general.* and llama.* agree with config.json; the vocabulary with tokenizer.model
             (pieces, scores, token types; through the sentencepiece package when it is installed)
  tensors    llama.cpp's names, shapes in ggml order, types as asked (1-D tensors F32), and values:
             F32 equal, F16/BF16/Q8_0 equal byte for byte to what gguf.quants makes of the HF weights
             after llama.cpp's q/k permutation (written here from its definition, independently of ours)

Usage: check_gguf.py FILE.gguf HF_FOLDER [--dtype f32|f16|bf16|q8_0]
Exit status 0 when everything matches; otherwise each mismatch is printed and the status is 1.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np

import gguf

failures = []


def fail(msg):
    failures.append(msg)
    print("MISMATCH:", msg)


def read_safetensors(folder):
    """All tensors of the folder's model.safetensors (or shards) as numpy arrays, without the safetensors package."""
    files = []
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(os.path.join(folder, "model.safetensors")):
        files = [os.path.join(folder, "model.safetensors")]
    else:
        with open(index) as f:
            files = sorted({os.path.join(folder, v) for v in json.load(f)["weight_map"].values()})
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    out = {}
    for path in files:
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
            data = f.read()
        for name, info in header.items():
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            out[name] = np.frombuffer(data[begin:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"]).astype(np.float32)
    return out


def field_value(reader, key):
    field = reader.fields.get(key)
    if field is None:
        return None
    if hasattr(field, "contents"):
        return field.contents()
    # Older gguf packages: decode the parts ourselves.
    main = field.types[0]
    if main == gguf.GGUFValueType.STRING:
        return bytes(field.parts[field.data[0]]).decode("utf-8")
    if main == gguf.GGUFValueType.ARRAY:
        if field.types[-1] == gguf.GGUFValueType.STRING:
            return [bytes(field.parts[i]).decode("utf-8") for i in field.data]
        return [field.parts[i].tolist()[0] for i in field.data]
    return field.parts[field.data[0]].tolist()[0]


def permute(w, heads):
    """llama.cpp's convert script order for q/k rows: per head, HF's two halves interleaved."""
    rows = w.shape[0]
    return w.reshape(heads, 2, rows // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def gguf_name(hf):
    simple = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight", "lm_head.weight": "output.weight"}
    if hf in simple:
        return simple[hf]
    parts = hf.split(".")  # model.layers.N.<module...>.<weight|bias>
    n, module, kind = parts[2], ".".join(parts[3:-1]), parts[-1]
    names = {"input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "self_attn.q_proj": "attn_q",
             "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
             "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
    return "blk.%s.%s.%s" % (n, names[module], kind)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gguf_file")
    ap.add_argument("hf_folder")
    ap.add_argument("--dtype", default=None, help="expected weight type: f32, f16, bf16, q8_0")
    args = ap.parse_args()

    reader = gguf.GGUFReader(args.gguf_file)
    with open(os.path.join(args.hf_folder, "config.json")) as f:
        config = json.load(f)
    weights = read_safetensors(args.hf_folder)

    # ---- metadata ----------------------------------------------------------------------------
    version = field_value(reader, "GGUF.version")
    if version is not None and version != 3:
        fail("GGUF version %r, expected 3" % version)
    if field_value(reader, "general.architecture") != "llama":
        fail("general.architecture is %r" % field_value(reader, "general.architecture"))
    heads, kv = config["num_attention_heads"], config.get("num_key_value_heads", config["num_attention_heads"])
    expected = {
        "llama.context_length": config["max_position_embeddings"],
        "llama.embedding_length": config["hidden_size"],
        "llama.block_count": config["num_hidden_layers"],
        "llama.feed_forward_length": config["intermediate_size"],
        "llama.attention.head_count": heads,
        "llama.attention.head_count_kv": kv,
        "llama.rope.dimension_count": config["hidden_size"] // heads,
        "llama.attention.layer_norm_rms_epsilon": float(np.float32(config["rms_norm_eps"])),
        "llama.rope.freq_base": float(np.float32(config["rope_theta"])),
        "tokenizer.ggml.model": "llama",
        "tokenizer.ggml.bos_token_id": config["bos_token_id"],
        "tokenizer.ggml.eos_token_id": config["eos_token_id"],
    }
    for key, want in expected.items():
        got = field_value(reader, key)
        if isinstance(want, float):
            ok = got is not None and float(np.float32(got)) == want
        else:
            ok = got == want
        if not ok:
            fail("%s is %r, config.json says %r" % (key, got, want))
    tokens = field_value(reader, "tokenizer.ggml.tokens")
    scores = field_value(reader, "tokenizer.ggml.scores")
    types = field_value(reader, "tokenizer.ggml.token_type")
    if not (len(tokens) == len(scores) == len(types) == config["vocab_size"]):
        fail("vocabulary arrays have %d/%d/%d entries for vocab_size %d" % (len(tokens), len(scores), len(types), config["vocab_size"]))
    vocab_note = "vocabulary sizes only (sentencepiece not installed)"
    try:
        import sentencepiece as spm
    except ImportError:
        spm = None
    sp_path = os.path.join(args.hf_folder, "tokenizer.model")
    if spm is not None and os.path.exists(sp_path):
        sp = spm.SentencePieceProcessor(model_file=sp_path)
        for i in range(sp.get_piece_size()):
            want_type = 2 if sp.is_unknown(i) else 3 if sp.is_control(i) else 5 if sp.is_unused(i) else 6 if sp.is_byte(i) else 1
            if tokens[i] != sp.id_to_piece(i) or np.float32(scores[i]) != np.float32(sp.get_score(i)) or types[i] != want_type:
                fail("token %d: gguf (%r, %r, %r) vs tokenizer.model (%r, %r, %r)" % (
                    i, tokens[i], scores[i], types[i], sp.id_to_piece(i), sp.get_score(i), want_type))
                break
        vocab_note = "%d pieces, scores and types equal to tokenizer.model" % sp.get_piece_size()

    # ---- tensors -------------------------------------------------------------------------------
    T = gguf.GGMLQuantizationType
    wanted = {"f32": T.F32, "f16": T.F16, "bf16": T.BF16, "q8_0": T.Q8_0}.get(args.dtype)
    by_name = {t.name: t for t in reader.tensors}
    expected_names = {gguf_name(n) for n in weights if not (n == "lm_head.weight" and config.get("tie_word_embeddings"))}
    if set(by_name) != expected_names:
        fail("tensor names differ: only in gguf %s, only expected %s" % (sorted(set(by_name) - expected_names), sorted(expected_names - set(by_name))))
    max_diff = 0.0
    types_seen = {}
    for hf, w in sorted(weights.items()):
        name = gguf_name(hf)
        t = by_name.get(name)
        if t is None:
            continue
        if "q_proj" in hf:
            w = permute(w, heads)
        elif "k_proj" in hf:
            w = permute(w, kv)
        if list(t.shape) != list(reversed(w.shape)):
            fail("%s: ggml shape %s, expected %s (HF %s reversed)" % (name, list(t.shape), list(reversed(w.shape)), list(w.shape)))
            continue
        types_seen[t.tensor_type.name] = types_seen.get(t.tensor_type.name, 0) + 1
        if w.ndim == 1 and t.tensor_type != T.F32:
            fail("%s: 1-D tensor stored as %s, llama.cpp keeps them F32" % (name, t.tensor_type.name))
        if w.ndim == 2 and wanted is not None and t.tensor_type != wanted and not (wanted == T.Q8_0 and t.tensor_type == T.F16):
            fail("%s: stored as %s, asked for %s" % (name, t.tensor_type.name, args.dtype))
        raw = np.asarray(t.data)
        if t.tensor_type == T.F32:
            got = raw.reshape(w.shape).astype(np.float32)
            if not np.array_equal(got, w):
                fail("%s: F32 values differ (max %g)" % (name, np.abs(got - w).max()))
        elif t.tensor_type == T.F16:
            got = raw.reshape(w.shape).astype(np.float32)
            if not np.array_equal(raw.reshape(w.shape), w.astype(np.float16)):
                fail("%s: F16 values differ from numpy's float16 of the HF weights" % name)
        else:
            # BF16 and Q8_0: the exact bytes gguf-py's quantizer makes of the same (permuted) weights.
            ref = gguf.quants.quantize(w, t.tensor_type)
            if raw.tobytes() != np.asarray(ref).tobytes():
                fail("%s: %s bytes differ from gguf.quants.quantize of the HF weights" % (name, t.tensor_type.name))
            got = gguf.quants.dequantize(raw, t.tensor_type).reshape(w.shape).astype(np.float32)
        max_diff = max(max_diff, float(np.abs(got - w).max()))

    if failures:
        print("check_gguf: %d mismatches" % len(failures))
        return 1
    print("check_gguf: OK: %s: %d metadata keys, %d tensors %s, names/shapes/values match the HF export "
          "(max abs weight diff %.3g); %s" % (os.path.basename(args.gguf_file), len(reader.fields), len(reader.tensors),
                                             json.dumps(types_seen, sort_keys=True), max_diff, vocab_note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
