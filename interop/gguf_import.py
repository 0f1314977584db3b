#!/usr/bin/env python3
"""`make interop`'s checks of `ftstudio import` (GGUF -> Hugging Face folder) against the gguf package and
Hugging Face's tokenizers / transformers:

  1. dequantization  a llama GGUF whose tensors use every type the importer reads: F32, F16, BF16, Q4_0,
                     Q4_1, Q5_0, Q5_1 and Q8_0 made by gguf.quants.quantize from random weights; Q4_K, Q5_K
                     and Q6_K (which the package cannot quantize) as random blocks with finite scales. The
                     studio imports it in f32; every tensor must equal gguf.quants.dequantize of the same
                     bytes (q/k rows put back in HF's order), exactly or within float32 rounding.
  2. transformers    loads the imported folder (config.json, safetensors) as LlamaForCausalLM, every weight
                     in its place.
  3. tokenizers      a byte-level BPE trained here with `tokenizers`, written into GGUF files as llama.cpp's
                     converter does (tokenizer.ggml.tokens / merges / token_type / pre), for each of the
                     pre-tokenizers gpt2, smollm, llama-bpe and qwen2; the tokenizer.json the studio rebuilds
                     gives exactly the ids of the original HF tokenizer (with that family's own pre-tokenizer)
                     on a mixed corpus, and decodes back to the text.
Prints PASS/FAIL lines; exits 1 when any check fails.
"""
import argparse
import json
import os
import subprocess
import sys
import unicodedata

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import gguf
from gguf.constants import GGMLQuantizationType as T
from safetensors.numpy import load_file
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

results = []


def report(name, ok, detail):
    results.append((name, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)


HIDDEN, HEADS, KV_HEADS, FFN, LAYERS = 256, 2, 1, 512, 2  # rows of 256: whole K super-blocks
HEAD_DIM = HIDDEN // HEADS

# The type of each tensor (2 layers, so every type appears at least once, most twice).
TYPES = {
    "token_embd.weight": T.Q8_0,
    "output_norm.weight": T.F32,
    "output.weight": T.Q4_0,
    "blk.0.attn_norm.weight": T.F32, "blk.0.ffn_norm.weight": T.BF16,
    "blk.0.attn_q.weight": T.Q4_0, "blk.0.attn_k.weight": T.Q4_1, "blk.0.attn_v.weight": T.Q5_0,
    "blk.0.attn_output.weight": T.Q5_1, "blk.0.ffn_gate.weight": T.Q4_K, "blk.0.ffn_up.weight": T.Q5_K,
    "blk.0.ffn_down.weight": T.Q6_K,
    "blk.1.attn_norm.weight": T.F16, "blk.1.ffn_norm.weight": T.F32,
    "blk.1.attn_q.weight": T.Q6_K, "blk.1.attn_k.weight": T.Q5_K, "blk.1.attn_v.weight": T.Q4_K,
    "blk.1.attn_output.weight": T.Q8_0, "blk.1.ffn_gate.weight": T.F16, "blk.1.ffn_up.weight": T.BF16,
    "blk.1.ffn_down.weight": T.Q5_1,
}


def shape_of(name, vocab):
    role = name.split(".")[-2]
    return {
        "token_embd": (vocab, HIDDEN), "output": (vocab, HIDDEN), "output_norm": (HIDDEN,), "attn_norm": (HIDDEN,),
        "ffn_norm": (HIDDEN,), "attn_q": (HEADS * HEAD_DIM, HIDDEN), "attn_k": (KV_HEADS * HEAD_DIM, HIDDEN),
        "attn_v": (KV_HEADS * HEAD_DIM, HIDDEN), "attn_output": (HIDDEN, HEADS * HEAD_DIM), "ffn_gate": (FFN, HIDDEN),
        "ffn_up": (FFN, HIDDEN), "ffn_down": (HIDDEN, FFN),
    }[role]


def random_k_blocks(rng, qtype, rows, cols):
    """Random bytes for a K-quant tensor, with its float16 super-block scales set to finite values."""
    block_values, block_bytes = gguf.GGML_QUANT_SIZES[qtype]
    blocks = rows * cols // block_values
    raw = rng.integers(0, 256, size=(blocks, block_bytes), dtype=np.uint8)
    def set_half(offset, values):
        raw[:, offset:offset + 2] = values.astype(np.float16).view(np.uint8).reshape(blocks, 2)
    if qtype in (T.Q4_K, T.Q5_K):  # d, dmin first; negative ones too
        set_half(0, rng.normal(0, 0.01, blocks))
        set_half(2, rng.normal(0, 0.01, blocks))
    else:  # Q6_K: d last
        set_half(block_bytes - 2, rng.normal(0, 0.001, blocks))
    return raw.reshape(rows, cols // block_values * block_bytes)


def train_bpe(corpus):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    return json.loads(tok.to_str())


LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"


def original_tokenizer(trained, pre):
    """The HF tokenizer each family ships, around the trained vocabulary and merges."""
    vocab = trained["model"]["vocab"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in trained["model"]["merges"]]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=(pre == "llama-bpe")))
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if pre == "gpt2":
        tok.pre_tokenizer = byte_level
    elif pre == "smollm":
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
    else:
        regex = LLAMA3 if pre == "llama-bpe" else QWEN2
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(regex), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
        if pre == "qwen2":
            tok.normalizer = normalizers.NFC()
    tok.decoder = decoders.ByteLevel()
    for added in trained["added_tokens"]:
        tok.add_special_tokens([added["content"]])
    return tok


def write_gguf(path, vocab_tokens, token_types, merges, pre, rng, quantized):
    w = gguf.GGUFWriter(path, "llama")
    w.add_name("interop-tiny")
    w.add_context_length(128)
    w.add_embedding_length(HIDDEN)
    w.add_block_count(LAYERS)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(10000.0)
    w.add_rope_dimension_count(HEAD_DIM)
    w.add_vocab_size(len(vocab_tokens))
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(pre)
    w.add_token_list(vocab_tokens)
    w.add_token_types(token_types)
    w.add_token_merges(merges)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(False)
    raws = {}
    for name, qtype in TYPES.items():
        shape = shape_of(name, len(vocab_tokens))
        if not quantized:
            qtype = T.F32
        if qtype in (T.Q4_K, T.Q5_K, T.Q6_K):
            raw = random_k_blocks(rng, qtype, shape[0], shape[1])
        else:
            x = rng.normal(0, 0.05, size=shape).astype(np.float32)
            if name.endswith("norm.weight"):
                x += 1.0
            raw = x if qtype == T.F32 else gguf.quants.quantize(x, qtype)
        raws[name] = (raw, qtype, shape)
        if qtype in (T.F32, T.F16):
            w.add_tensor(name, raw)
        else:
            w.add_tensor(name, raw, raw_shape=raw.shape, raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return raws


def hf_name(g):
    if g == "token_embd.weight": return "model.embed_tokens.weight"
    if g == "output_norm.weight": return "model.norm.weight"
    if g == "output.weight": return "lm_head.weight"
    _, layer, role, kind = g.split(".")
    part = {"attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm", "attn_q": "self_attn.q_proj",
            "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj",
            "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}[role]
    return f"model.layers.{layer}.{part}.{kind}"


def hf_order(x, heads):
    """llama.cpp's interleaved q/k rows -> HF's halves: GGUF row 2i+j of a head is HF row j*Dh/2 + i."""
    rows, cols = x.shape
    return x.reshape(heads, rows // heads // 2, 2, cols).transpose(0, 2, 1, 3).reshape(rows, cols)


def import_gguf(ftstudio, gguf_path, out):
    r = subprocess.run([ftstudio, "import", gguf_path, "--out", out, "--dtype", "f32", "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"ftstudio import failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


CORPUS = [
    "The quick brown fox jumps over the lazy dog. It's 2024; we'll see 1234567 items!",
    "床前明月光，疑是地上霜。举头望明月，低头思故乡。",
    "Emoji: 😀🎉👍🏽 and flags 🇫🇷 — dashes – quotes “like this”.",
    "def f(x):\n    return x ** 2  # square\n\n\nclass A:\n\tpass\n",
    "   leading spaces, trailing spaces   \n\n\nmany newlines\r\nwindows line",
    "Numbers: 3.14159, 1,000,000 and 0x1F; DON'T SHOUT, They'RE here, I'M ok.",
    "Ein Café, naïve façade; Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ; e\u0301 combining.",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ftstudio", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    rng = np.random.default_rng(7)

    corpus = CORPUS * 20 + [" ".join(f"word{i} number {i * 37}" for i in range(200))]
    trained = train_bpe(corpus)
    vocab = trained["model"]["vocab"]
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    specials = {t["id"] for t in trained["added_tokens"]}
    types = [3 if i in specials else 1 for i in range(len(tokens))]
    merges = [m if isinstance(m, str) else " ".join(m) for m in trained["model"]["merges"]]

    # ---- 1. dequantization against gguf.quants.dequantize -----------------------------------
    path = os.path.join(a.work, "all-types.gguf")
    raws = write_gguf(path, tokens, types, merges, "gpt2", rng, quantized=True)
    out = os.path.join(a.work, "all-types-hf")
    try:
        info = import_gguf(a.ftstudio, path, out)
        ours = load_file(os.path.join(out, "model.safetensors"))
        worst = {}
        for name, (raw, qtype, shape) in raws.items():
            ref = gguf.quants.dequantize(raw, qtype).astype(np.float32).reshape(shape)
            if name.endswith("attn_q.weight"):
                ref = hf_order(ref, HEADS)
            if name.endswith("attn_k.weight"):
                ref = hf_order(ref, KV_HEADS)
            got = ours[hf_name(name)]
            diff = float(np.max(np.abs(got - ref))) if got.shape == ref.shape else float("inf")
            scale = float(np.max(np.abs(ref))) or 1.0
            exact = bool(np.array_equal(got, ref))
            prev = worst.get(qtype.name, (True, 0.0, 0.0))
            worst[qtype.name] = (prev[0] and exact, max(prev[1], diff), max(prev[2], diff / scale))
        for tname, (exact, diff, rel) in sorted(worst.items()):
            report(f"dequantize {tname}", exact or rel <= 1e-6,
                   "bit-identical to gguf.quants.dequantize" if exact else f"max |difference| {diff:.3g} ({rel:.2g} of the largest value)")
        report("import summary", info["tensors"] == len(TYPES), f"{info['tensors']} tensors, {info['parameters']} parameters, {info['seconds']:.3f} s")
    except Exception as e:  # noqa: BLE001 - report and go on with the other checks
        report("dequantize", False, str(e))

    # ---- 2. transformers loads the imported folder -----------------------------------------
    try:
        import torch
        from transformers import AutoModelForCausalLM
        model, info = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32, output_loading_info=True)
        missing = sorted(map(str, [*info["missing_keys"], *info["unexpected_keys"], *info["mismatched_keys"]]))
        ok = not missing and type(model).__name__ == "LlamaForCausalLM"
        emb = model.get_input_embeddings().weight.detach().numpy()
        ok = ok and np.array_equal(emb, ours["model.embed_tokens.weight"])
        report("transformers loads the import", ok, f"{type(model).__name__}, problems: {missing or 'none'}")
    except Exception as e:  # noqa: BLE001
        report("transformers loads the import", False, str(e))

    # ---- 3. the rebuilt tokenizer.json against the original HF tokenizer -------------------
    for pre in ["gpt2", "smollm", "llama-bpe", "qwen2"]:
        try:
            path = os.path.join(a.work, f"tok-{pre}.gguf")
            write_gguf(path, tokens, types, merges, pre, rng, quantized=False)
            folder = os.path.join(a.work, f"tok-{pre}-hf")
            import_gguf(a.ftstudio, path, folder)
            rebuilt = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
            original = original_tokenizer(trained, pre)
            bad = []
            total = 0
            for text in CORPUS + ["1234567890 and 12 and 3", "x" * 300, " ".join(CORPUS)]:
                ids_r = rebuilt.encode(text).ids
                ids_o = original.encode(text).ids
                total += len(ids_o)
                if ids_r != ids_o:
                    bad.append(text[:30])
                # Qwen2 normalizes to NFC before splitting, so its text comes back composed.
                expected = unicodedata.normalize("NFC", text) if pre == "qwen2" else text
                if rebuilt.decode(ids_r, skip_special_tokens=False) != expected:
                    bad.append("decode: " + text[:30])
            report(f"tokenizer.json ({pre})", not bad, f"{total} ids identical to the original on {len(CORPUS) + 3} texts" if not bad else f"differs on {bad}")
        except Exception as e:  # noqa: BLE001
            report(f"tokenizer.json ({pre})", False, str(e))

    failed = [n for n, ok in results if not ok]
    print(f"gguf import: {len(results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
