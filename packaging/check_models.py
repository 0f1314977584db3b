#!/usr/bin/env python3
"""The check at the end of `make models`: the fetched folders load, and the SmolLM2 that `ftstudio import`
made from the GGUF answers "The capital of France is" with Paris under greedy decoding, both in
transformers (its config.json, tokenizer.json and safetensors as HF reads them) and in the studio's
own engine (`ftstudio predict FOLDER --temperature 0`). Prints the answers; exits 1 when a check fails.
"""
import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

PROMPT = "The capital of France is"
failures = []


def check(name, ok, detail):
    print(f"models: {'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)
    if not ok:
        failures.append(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    ap.add_argument("--ftstudio", required=True)
    a = ap.parse_args()
    smol = os.path.join(a.models, "smollm2-135m-instruct")
    minilm = os.path.join(a.models, "all-minilm-l6-v2")
    glove = os.path.join(a.models, "glove-6b-50d", "glove.6B.50d.w2v.txt")

    import torch
    from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

    # SmolLM2 in transformers: greedy, 8 new tokens.
    try:
        tok = AutoTokenizer.from_pretrained(smol)
        model = AutoModelForCausalLM.from_pretrained(smol, dtype=torch.float32).eval()
        ids = tok(PROMPT, return_tensors="pt")
        start = time.time()
        with torch.no_grad():
            out = model.generate(**ids, max_new_tokens=8, do_sample=False)
        answer = tok.decode(out[0][ids["input_ids"].shape[1]:], skip_special_tokens=True)
        params = sum(p.numel() for p in model.parameters())
        check("SmolLM2 in transformers", "Paris" in answer,
              f"{PROMPT!r} -> {answer!r} ({params:,} parameters, {time.time() - start:.1f} s)")
    except Exception as e:  # noqa: BLE001
        check("SmolLM2 in transformers", False, str(e))

    # SmolLM2 in the studio's engine.
    r = subprocess.run([a.ftstudio, "predict", smol, "--text", PROMPT, "--temperature", "0", "--max-tokens", "8", "--json"],
                       capture_output=True, text=True)
    if r.returncode == 0:
        answer = json.loads(r.stdout.strip().splitlines()[-1]).get("continuation", "")
        check("SmolLM2 in ftstudio", "Paris" in answer, f"{PROMPT!r} -> {answer!r}")
    else:
        check("SmolLM2 in ftstudio", False, f"ftstudio predict exited {r.returncode}: {r.stderr.strip()[-500:]}")

    # MiniLM: transformers loads the sentence-transformers folder as a BertModel.
    try:
        tok = AutoTokenizer.from_pretrained(minilm)
        model = AutoModel.from_pretrained(minilm).eval()
        with torch.no_grad():
            emb = model(**tok(["a sentence"], return_tensors="pt")).last_hidden_state
        check("MiniLM in transformers", tuple(emb.shape[-1:]) == (384,),
              f"{type(model).__name__}, {sum(p.numel() for p in model.parameters()):,} parameters, hidden {emb.shape[-1]}")
    except Exception as e:  # noqa: BLE001
        check("MiniLM in transformers", False, str(e))

    # GloVe: header and a known row.
    try:
        with open(glove, encoding="utf-8") as f:
            header = f.readline().split()
            first = f.readline().split()
        check("GloVe word2vec text", header == ["400000", "50"] and first[0] == "the" and len(first) == 51,
              f"header {' '.join(header)}, first row {' '.join(first[:4])} ...")
    except OSError as e:
        check("GloVe word2vec text", False, str(e))

    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
