#!/usr/bin/env python3
"""Scaled rotary embeddings in `make interop` (run by interop/run.sh inside .venv-interop/): transformers'
LlamaForCausalLM and the studio's decoder give the same logits on the same weights and rope_scaling.

For each case transformers saves a tiny random LlamaForCausalLM (hidden 32, 2 layers, 64 positions,
weights far from the 0.02 initialisation) with a rope_scaling; our llama_logits helper (beside ftstudio)
loads the folder and prints its logits for 2 x 40 ids, past llama3's original context, so every
frequency band counts. Then the studio saves what it loaded (our config.json) and transformers loads that
back: same logits, same rotary parameters.

  linear           rope_scaling linear, factor 2 (as transformers 5 saves it: rope_parameters)
  llama3           llama3, factor 8, low 1, high 4, original 16
  llama3 bands     head size 16, theta 1e4, original 32: one frequency kept, one blended, six divided
  Llama 3.2 style  config.json rewritten the way Llama 3.1/3.2 folders ship it (transformers 4's spelling:
                   rope_theta beside rope_scaling, a list of eos ids, head_dim, mlp_bias), tied embeddings
  older type key   rope_scaling {"type": "linear", "factor": 2.0}, transformers 4's spelling
  yarn refused     a type we do not compute is refused with a message naming the type and the file
Each case also says how far the same weights without the scaling are from transformers, so a pass means
the scaling was applied. Prints PASS/FAIL lines; exits 1 when any check fails.

usage: check_rope_scaling.py --bin BUILD/bin --work DIR
"""
import argparse
import json
import os
import subprocess
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import torch
import transformers
from transformers import LlamaForCausalLM

TOLERANCE = 1e-4  # fp32, max abs difference
failures = []


def report(name, ok, detail):
    print("%s  rope %s: %s" % ("PASS" if ok else "FAIL", name, detail), flush=True)
    if not ok:
        failures.append(name)


def randomize(model, seed):
    # Far from the 0.02 initialisation, so a wrong rotation moves the logits visibly.
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            elif "embed_tokens" in name:
                p.copy_(torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)


def ids_batch(vocab, rows=2, length=40):
    ids = torch.zeros(rows, length, dtype=torch.long)
    k = 5
    for b in range(rows):
        for t in range(length):
            k = (k * 37 + 11) % vocab
            ids[b, t] = k
    return ids


def ours(helper, folder, ids, save=None):
    args = [helper, folder, "--ids", ";".join(",".join(str(x) for x in r) for r in ids.tolist())]
    if save:
        args += ["--save", save]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("llama_logits failed: " + p.stderr.strip())
    return json.loads(p.stdout)


def logits_of(folder, ids):
    model = LlamaForCausalLM.from_pretrained(folder).eval()
    with torch.no_grad():
        return model, model(input_ids=ids).logits.double()


def rope_of(model):
    """transformers' own reading of the rotary settings: (type, the parameters that shape inv_freq)."""
    c = model.config
    rp = dict(getattr(c, "rope_parameters", None) or getattr(c, "rope_scaling", None) or {})
    kind = rp.get("rope_type", rp.get("type", "default"))
    keys = ["factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings", "rope_theta"]
    return kind, {k: rp.get(k) for k in keys if rp.get(k) is not None}


def max_diff(a, b):
    return float((torch.tensor(a, dtype=torch.float64) - b).abs().max())


def make_folder(work, name, scaling, heads=4, kv=2, theta=500000.0, tied=False):
    config = transformers.LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                      num_attention_heads=heads, num_key_value_heads=kv, max_position_embeddings=64,
                                      rms_norm_eps=1e-5, rope_theta=theta, rope_scaling=dict(scaling), bos_token_id=1,
                                      eos_token_id=2, pad_token_id=3, tie_word_embeddings=tied)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).eval()
    randomize(model, 7)
    folder = os.path.join(work, name)
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def unscaled_logits(folder, ids):
    """transformers' logits for the same weights with the rotary scaling taken out of config.json."""
    plain = folder + "-unscaled"
    os.makedirs(plain, exist_ok=True)
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    theta = (cfg.get("rope_parameters") or {}).get("rope_theta", cfg.get("rope_theta", 10000.0))
    cfg.pop("rope_scaling", None)
    cfg["rope_parameters"] = {"rope_type": "default", "rope_theta": theta}
    with open(os.path.join(plain, "config.json"), "w") as f:
        json.dump(cfg, f)
    for name in os.listdir(folder):
        if name.endswith(".safetensors"):
            target = os.path.join(plain, name)
            if not os.path.exists(target):
                os.symlink(os.path.join(folder, name), target)
    return logits_of(plain, ids)[1]


def check(helper, work, label, folder):
    ids = ids_batch(64)
    model, want = logits_of(folder, ids)
    saved = folder + "-ours"
    got = ours(helper, folder, ids, save=saved)
    d = max_diff(got["logits"], want)
    moved = float((unscaled_logits(folder, ids) - want).abs().max())
    report(label, d < TOLERANCE and moved > 1e-2,
           "max |ours - transformers| = %.3g over logits %s (largest %.3g); read as %s in %s; without the scaling %.3g away" % (
               d, list(want.shape), float(want.abs().max()), got["rope_type"], got["rope_field"], moved))
    back, again = logits_of(saved, ids)
    d2 = max_diff(got["logits"], again)
    same_rope = rope_of(back) == rope_of(model)
    report(label + ", our export in transformers", d2 < TOLERANCE and same_rope,
           "max diff %.3g; transformers reads %s (source %s)" % (d2, rope_of(back), rope_of(model)))


def llama32_style(folder):
    """Rewrites transformers 5's config.json the way Llama 3.1/3.2 folders ship theirs."""
    path = os.path.join(folder, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    rp = cfg.pop("rope_parameters")
    cfg["rope_theta"] = rp.pop("rope_theta")
    cfg["rope_scaling"] = {"factor": rp["factor"], "high_freq_factor": rp["high_freq_factor"], "low_freq_factor": rp["low_freq_factor"],
                           "original_max_position_embeddings": rp["original_max_position_embeddings"], "rope_type": "llama3"}
    cfg.update({"eos_token_id": [2, 5, 6], "head_dim": 8, "mlp_bias": False, "pretraining_tp": 1, "torch_dtype": "float32"})
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="the build's bin folder (ftstudio, llama_logits)")
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    helper = os.path.join(a.bin, "llama_logits")
    if not os.access(helper, os.X_OK):
        report("helper", False, "%s does not exist: build it (make build)" % helper)
        return 1
    os.makedirs(a.work, exist_ok=True)
    torch.set_num_threads(2)
    llama3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 16}
    cases = [
        ("linear, factor 2", lambda: make_folder(a.work, "linear", {"rope_type": "linear", "factor": 2.0})),
        ("llama3, factor 8, low 1, high 4, original 16", lambda: make_folder(a.work, "llama3", llama3)),
        ("llama3, head size 16, original 32 (every band)",
         lambda: make_folder(a.work, "llama3-bands", dict(llama3, original_max_position_embeddings=32), heads=2, kv=1, theta=10000.0)),
        ("Llama 3.2 style config.json, tied", lambda: make_folder(a.work, "llama32", llama3, tied=True)),
        ("older 'type' key (transformers 4)", lambda: make_folder(a.work, "type-key", {"type": "linear", "factor": 2.0})),
    ]
    for label, make in cases:
        try:
            folder = make()
            if label.startswith("Llama 3.2"):
                llama32_style(folder)
            elif label.startswith("older"):
                path = os.path.join(folder, "config.json")
                with open(path) as f:
                    cfg = json.load(f)
                cfg["rope_theta"] = cfg.pop("rope_parameters")["rope_theta"]
                cfg["rope_scaling"] = {"type": "linear", "factor": 2.0}
                with open(path, "w") as f:
                    json.dump(cfg, f, indent=2)
            check(helper, a.work, label, folder)
        except Exception as ex:  # one failing case must not hide the others
            report(label, False, repr(ex))

    try:  # a type we do not compute: refused, naming it and the file
        folder = make_folder(a.work, "yarn", {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16})
        p = subprocess.run([helper, folder, "--ids", "1,2,3"], capture_output=True, text=True)
        message = p.stderr.strip()
        ok = p.returncode != 0 and "'yarn'" in message and "config.json" in message
        report("yarn refused", ok, "exit %d: %s" % (p.returncode, message))
    except Exception as ex:
        report("yarn refused", False, repr(ex))

    print("rope scaling: %s (torch %s, transformers %s)" % ("all passed" if not failures else "%d failed" % len(failures),
                                                          torch.__version__, transformers.__version__), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
