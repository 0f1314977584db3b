#!/usr/bin/env python3
"""The checks of `make interop` (run by interop/run.sh inside .venv-interop/): outside tools load what
Fine-tuning Studio exports, and the studio loads what they save.

  1. classifier  ftstudio trains a tiny classifier, exports it as a Hugging Face folder; transformers'
                 AutoModelForSequenceClassification and AutoTokenizer load it; same token ids, logits
                 within 1e-4 of the studio's own (ftstudio export --dump-logits).
  2. causal LM   the same with AutoModelForCausalLM; then GGUF in f32, f16, bf16 and q8_0, read by the
                 gguf package (tests/export/check_gguf.py: metadata, names, shapes, values).
  3. reverse     transformers saves a small random LlamaForCausalLM with a SentencePiece tokenizer.model;
                 the studio imports it (its logits match transformers'), fine-tunes it one epoch,
                 exports it, and transformers reloads the result and matches the studio's logits.
  4. llama.cpp   when llama-cpp-python is installed (INTEROP_LLAMA_CPP=1 make interop): llama.cpp loads the
                 GGUF files, its logits on the studio's token ids match, and for a BPE tokenizer its ids too.
  5. PEFT        the studio trains LoRA adapters (a classifier and a causal LM) on a base model; peft's
                 PeftModel loads each adapter (--format peft) onto the studio's HF export of that base: every
                 tensor finds its place, and the logits match the studio's within 1e-4; transformers loads
                 the merged model (--format merged) with the same logits.
Prints PASS/FAIL lines and a summary; exits 1 when any check fails.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

# Quiet, offline: nothing here may reach a model hub, and progress bars would bury the results.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import torch
import sentencepiece as spm
import transformers
from safetensors import safe_open
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer

try:  # peft is installed by setup-venv.sh; an older venv without it skips the PEFT checks, saying so
    import peft
except ImportError:
    peft = None

LOGIT_TOLERANCE = 1e-4  # fp32, max abs difference
SAMPLE_TEXTS = [
    "The fox jumps over the lazy dog.",
    "What is food to one, is to others bitter poison.",
    "Numbers 12345 and punctuation -- are split: (yes)!",
    "Ein Café, naïve façade.",
]

results = []


def report(name, ok, detail):
    results.append((name, ok))
    print("%s  %s: %s" % ("PASS" if ok else "FAIL", name, detail), flush=True)


def run(cmd, what):
    """Runs ftstudio; returns the JSON object it printed last. Raises with its stderr on failure."""
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s\n%s" % (what, p.returncode, " ".join(cmd), p.stderr[-3000:]))
    line = [l for l in p.stdout.strip().splitlines() if l.startswith("{")][-1]
    print("      %s (%.1f s)" % (what, time.time() - t0), flush=True)
    return json.loads(line)


def load_reference(path):
    with safe_open(path, framework="np") as f:
        meta = f.metadata()
        n = int(meta["samples"])
        ids = [f.get_tensor("ids.%d" % i).tolist() for i in range(n)]
        logits = [f.get_tensor("logits.%d" % i) for i in range(n)]
    return meta["task"], json.loads(meta["texts"]), ids, logits


def from_pretrained(cls, folder):
    try:
        return cls.from_pretrained(folder, dtype=torch.float32).eval()
    except TypeError:  # transformers 4.x
        return cls.from_pretrained(folder, torch_dtype=torch.float32).eval()


def check_hf_export(label, folder, dump):
    """transformers loads `folder`; its tokenizer gives our ids and its model our logits."""
    task, texts, ref_ids, ref_logits = load_reference(dump)
    classifier = task == "cls"

    # Token ids: the SentencePiece model itself, then what transformers' AutoTokenizer makes of it.
    sp = spm.SentencePieceProcessor(model_file=os.path.join(folder, "tokenizer.model"))
    sp_ids = [[sp.bos_id()] + sp.encode(t) + ([sp.eos_id()] if classifier else []) for t in texts]
    report(label + ": sentencepiece ids", sp_ids == ref_ids, "%d texts, %d tokens, equal to the studio's" % (len(texts), sum(map(len, ref_ids)))
           if sp_ids == ref_ids else "differ: %s vs %s" % (sp_ids, ref_ids))
    tok = AutoTokenizer.from_pretrained(folder)
    hf_ids = [tok(t)["input_ids"] for t in texts]
    same = hf_ids == ref_ids
    detail = "%s gives the studio's ids on all %d texts" % (type(tok).__name__, len(texts))
    if not same:
        bad = [i for i in range(len(texts)) if hf_ids[i] != ref_ids[i]]
        detail = "%s differs on texts %s: first %r -> %s, studio %s" % (type(tok).__name__, bad, texts[bad[0]], hf_ids[bad[0]], ref_ids[bad[0]])
    report(label + ": AutoTokenizer ids", same, detail)

    cls = AutoModelForSequenceClassification if classifier else AutoModelForCausalLM
    model = from_pretrained(cls, folder)
    diff, agree, rows = 0.0, 0, 0
    with torch.no_grad():
        for ids, want in zip(ref_ids, ref_logits):
            got = model(input_ids=torch.tensor([ids])).logits[0].float().numpy()  # [C] or [T,V]
            diff = max(diff, float(np.abs(got - want).max()))
            g2, w2 = got.reshape(-1, got.shape[-1]), want.reshape(-1, want.shape[-1])
            agree += int((g2.argmax(-1) == w2.argmax(-1)).sum())
            rows += g2.shape[0]
    report(label + ": %s logits" % type(model).__name__, diff < LOGIT_TOLERANCE,
           "max abs difference %.3g over %d rows (tolerance %g), argmax agreement %d/%d" % (diff, rows, LOGIT_TOLERANCE, agree, rows))
    return model


def check_gguf(label, root, gguf_file, hf_folder, dtype):
    p = subprocess.run([sys.executable, os.path.join(root, "tests", "export", "check_gguf.py"), gguf_file, hf_folder, "--dtype", dtype],
                       capture_output=True, text=True)
    lines = (p.stdout + p.stderr).strip().splitlines()
    report(label, p.returncode == 0, lines[-1] if lines else "(no output)")
    if p.returncode != 0:
        print("\n".join(lines[-20:]))


_quiet_log = None


def check_llama_cpp(label, gguf_file, dump, dtype, bpe_tokenizer):
    """llama.cpp itself (llama-cpp-python) loads the GGUF: its logits on the studio's ids, and its tokenizer."""
    try:
        import llama_cpp
    except ImportError:
        print("SKIP  %s: llama-cpp-python is not installed (INTEROP_LLAMA_CPP=1 make interop builds it, about 10 minutes)" % label)
        return
    # llama.cpp's repacked CPU weight layouts crash on this machine's CPU for Q8_0 (a llama-cpp-python
    # 0.3 issue, seen also with files written by gguf-py itself): load with the plain layouts.
    global _quiet_log
    if _quiet_log is None:  # llama.cpp logs every graph node to stderr; keep the callback alive
        _quiet_log = llama_cpp.llama_log_callback(lambda level, text, user_data: None)
        llama_cpp.llama_log_set(_quiet_log, None)
    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_default_params()
    params.use_extra_bufts = False
    model = llama_cpp.llama_model_load_from_file(gguf_file.encode(), params)
    if not model:
        report(label, False, "llama.cpp could not load the file")
        return
    _, texts, ref_ids, ref_logits = load_reference(dump)
    vocab = llama_cpp.llama_model_get_vocab(model)
    n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
    cparams = llama_cpp.llama_context_default_params()
    cparams.n_ctx = 256
    cparams.n_batch = 256
    cparams.n_threads = cparams.n_threads_batch = 2
    largest = max(float(np.abs(w).max()) for w in ref_logits)
    diff, agree, rows = 0.0, 0, 0
    for ids, want in zip(ref_ids, ref_logits):
        ctx = llama_cpp.llama_init_from_model(model, cparams)
        batch = llama_cpp.llama_batch_init(len(ids), 0, 1)
        for j, tok in enumerate(ids):
            batch.token[j] = tok
            batch.pos[j] = j
            batch.n_seq_id[j] = 1
            batch.seq_id[j][0] = 0
            batch.logits[j] = 1
        batch.n_tokens = len(ids)
        if llama_cpp.llama_decode(ctx, batch) != 0:
            report(label, False, "llama_decode failed")
            return
        got = np.ctypeslib.as_array(llama_cpp.llama_get_logits(ctx), shape=(len(ids), n_vocab)).copy()
        llama_cpp.llama_batch_free(batch)
        llama_cpp.llama_free(ctx)
        diff = max(diff, float(np.abs(got - want).max()))
        agree += int((got.argmax(-1) == want.argmax(-1)).sum())
        rows += len(ids)
    # llama.cpp keeps its KV cache in F16 and quantizes activations for Q8_0 products: judge as our own
    # verification does, relative to the largest logit.
    rel = {"f32": 2e-3, "f16": 2e-2, "bf16": 1e-1, "q8_0": 1.5e-1}[dtype]
    tol = rel * max(1.0, largest)
    report(label + ": logits", diff <= tol, "max abs difference %.3g from the studio's (largest logit %.3g, accepted %.3g), argmax agreement %d/%d"
           % (diff, largest, tol, agree, rows))
    same = 0
    for text, ids in zip(texts, ref_ids):
        buf = (llama_cpp.llama_token * 512)()
        n = llama_cpp.llama_tokenize(vocab, text.encode(), len(text.encode()), buf, 512, True, False)
        same += list(buf[:n]) == ids
    if bpe_tokenizer:
        report(label + ": tokenizer", same == len(texts), "llama.cpp gives the studio's ids on %d/%d texts" % (same, len(texts)))
    else:
        print("NOTE  %s: tokenizer: llama.cpp gives the studio's ids on %d/%d texts: expected for a unigram tokenizer.model, which "
              "llama.cpp tokenizes BPE-style (the export says so in its notes)" % (label, same, len(texts)))
    llama_cpp.llama_model_free(model)


def max_logit_diff(model, ref_ids, ref_logits):
    diff, agree, rows = 0.0, 0, 0
    with torch.no_grad():
        for ids, want in zip(ref_ids, ref_logits):
            got = model(input_ids=torch.tensor([ids])).logits[0].float().numpy()  # [C] or [T,V]
            diff = max(diff, float(np.abs(got - want).max()))
            g2, w2 = got.reshape(-1, got.shape[-1]), want.reshape(-1, want.shape[-1])
            agree += int((g2.argmax(-1) == w2.argmax(-1)).sum())
            rows += g2.shape[0]
    return diff, agree, rows


def check_peft_adapter(label, adapter, base_hf, dump):
    """peft loads the studio's adapter onto transformers' load of the studio's HF export of the base."""
    from peft import PeftModel, get_peft_model_state_dict
    task, texts, ref_ids, ref_logits = load_reference(dump)
    classifier = task == "cls"
    config = json.load(open(os.path.join(adapter, "adapter_config.json")))
    manifest = json.load(open(os.path.join(adapter, "ftstudio_export.json")))
    if classifier:
        labels = manifest["labels"]
        # The head comes with the adapter (modules_to_save); the base is told its size and the pad id.
        base = from_pretrained_kw(AutoModelForSequenceClassification, base_hf, num_labels=len(labels), id2label=dict(enumerate(labels)),
                                  label2id={l: i for i, l in enumerate(labels)}, pad_token_id=manifest["pad_token_id"])
    else:
        base = from_pretrained_kw(AutoModelForCausalLM, base_hf)
    model = PeftModel.from_pretrained(base, adapter).eval()
    report(label + ": adapter_config.json", model.peft_config["default"].r == config["r"] and
           str(model.peft_config["default"].task_type) in ("SEQ_CLS", "CAUSAL_LM", "TaskType.SEQ_CLS", "TaskType.CAUSAL_LM"),
           "peft %s read it: LoRA r=%d, lora_alpha=%s, target_modules=%s, task_type=%s" % (
               peft.__version__, model.peft_config["default"].r, model.peft_config["default"].lora_alpha,
               sorted(model.peft_config["default"].target_modules), config["task_type"]))
    # Every tensor of our file found its place: what peft would save now is what we wrote.
    ours = {}
    with safe_open(os.path.join(adapter, "adapter_model.safetensors"), framework="pt") as f:
        for k in f.keys():
            ours[k] = f.get_tensor(k)
    theirs = get_peft_model_state_dict(model)
    same_names = sorted(ours) == sorted(theirs)
    same_values = same_names and all(torch.equal(ours[k].float(), theirs[k].float()) for k in ours)
    report(label + ": tensor names", same_names and same_values,
           "peft's own state dict has our %d tensor names and values (e.g. %s)" % (len(ours), sorted(ours)[0]) if same_names and same_values
           else "differ: only ours %s, only peft's %s" % (sorted(set(ours) - set(theirs))[:4], sorted(set(theirs) - set(ours))[:4]))
    tok = AutoTokenizer.from_pretrained(adapter)
    same = [tok(t)["input_ids"] for t in texts] == ref_ids
    report(label + ": AutoTokenizer ids", same, "the adapter folder's tokenizer gives the studio's ids on all %d texts" % len(texts)
           if same else "differ from the studio's")
    diff, agree, rows = max_logit_diff(model, ref_ids, ref_logits)
    report(label + ": PeftModel logits", diff < LOGIT_TOLERANCE, "max abs difference %.3g over %d rows (tolerance %g), argmax agreement %d/%d"
           % (diff, rows, LOGIT_TOLERANCE, agree, rows))
    return model


def from_pretrained_kw(cls, folder, **kw):
    try:
        return cls.from_pretrained(folder, dtype=torch.float32, **kw).eval()
    except TypeError:  # transformers 4.x
        return cls.from_pretrained(folder, torch_dtype=torch.float32, **kw).eval()


def write_lm_text(root, path):
    with open(os.path.join(root, "tests", "fixtures", "topics_small.csv"), newline="", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(" ".join(t.split()) + "\n")
    return texts


def make_transformers_llama(folder, text_file, work, rope_theta):
    """A small random Llama saved the way transformers saves models, with a Llama-style tokenizer.model
    (BPE, byte fallback, no normalization) trained by the sentencepiece package."""
    os.makedirs(folder, exist_ok=True)
    spm.SentencePieceTrainer.train(input=text_file, model_prefix=os.path.join(work, "hf-tok"), vocab_size=400, model_type="bpe",
                                   byte_fallback=True, normalization_rule_name="identity", split_digits=True, unk_id=0, bos_id=1,
                                   eos_id=2, pad_id=3, minloglevel=2)
    shutil.copy(os.path.join(work, "hf-tok.model"), os.path.join(folder, "tokenizer.model"))
    vocab = spm.SentencePieceProcessor(model_file=os.path.join(folder, "tokenizer.model")).get_piece_size()
    config = transformers.LlamaConfig(vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                                      num_key_value_heads=2, max_position_embeddings=128, rms_norm_eps=1e-5, rope_theta=rope_theta,
                                      bos_token_id=1, eos_token_id=2, pad_token_id=3, tie_word_embeddings=False)
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config)
    model.save_pretrained(folder, safe_serialization=True)
    # The tokenizer files a real Llama folder carries beside tokenizer.model (tokenizer.json too).
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "LlamaTokenizer", "add_bos_token": True, "add_eos_token": False}, f)
    AutoTokenizer.from_pretrained(folder).save_pretrained(folder)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ftstudio", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    ft, work, root = a.ftstudio, a.work, a.root
    csv_file = os.path.join(root, "tests", "fixtures", "topics_small.csv")
    samples = sum([["--sample-text", t] for t in SAMPLE_TEXTS], [])
    tiny = ["--set", "model.hidden_size=64", "--set", "model.layers=2", "--set", "model.heads=4", "--set", "model.kv_heads=2",
            "--set", "model.vocab_size=500", "--set", "train.batch_size=8", "--set", "train.eval_every=0", "--threads", "2", "--json"]
    print("interop: %s; torch %s, transformers %s, sentencepiece %s" % (ft, torch.__version__, transformers.__version__, spm.__version__),
          flush=True)
    torch.set_num_threads(2)
    transformers.utils.logging.disable_progress_bar()

    # ---- 1. classifier -------------------------------------------------------------------------
    try:
        run_cls = run([ft, "train", "--data", csv_file, "--steps", "20"] + tiny, "train a classifier, 20 steps")["run"]
        out = os.path.join(work, "cls-hf")
        e = run([ft, "export", run_cls, "--format", "hf", "--out", out, "--dump-logits", out + ".logits.safetensors"] + samples + ["--json"],
                "export it: hf f32")
        print("      studio's own verification: max abs diff %g" % e["verification"]["max_abs_diff"])
        check_hf_export("classifier hf f32", out, out + ".logits.safetensors")
    except Exception as ex:  # one failing part must not hide the others
        report("classifier", False, str(ex))

    # ---- 2. causal LM: HF, then GGUF -------------------------------------------------------------
    try:
        run_lm = run([ft, "train", "--data", csv_file, "--task", "lm", "--steps", "20"] + tiny, "train a causal LM, 20 steps")["run"]
        hf = os.path.join(work, "lm-hf")
        run([ft, "export", run_lm, "--format", "hf", "--out", hf, "--dump-logits", hf + ".logits.safetensors"] + samples + ["--json"],
            "export it: hf f32")
        check_hf_export("causal LM hf f32", hf, hf + ".logits.safetensors")
        for dtype in ["f32", "f16", "bf16", "q8_0"]:
            g = os.path.join(work, "lm-gguf-" + dtype)
            e = run([ft, "export", run_lm, "--format", "gguf", "--dtype", dtype, "--out", g, "--json"], "export it: gguf " + dtype)
            v = e["verification"]
            print("      studio's own verification: max abs diff %.3g (largest logit %.3g), argmax agreement %.4f over %d rows" % (
                v["max_abs_diff"], v["max_abs_logit"], v["argmax_agreement"], v["positions"]))
            check_gguf("causal LM gguf %s read by the gguf package" % dtype, root, os.path.join(g, "model-%s.gguf" % dtype), hf, dtype)
            check_llama_cpp("causal LM gguf %s in llama.cpp" % dtype, os.path.join(g, "model-%s.gguf" % dtype), hf + ".logits.safetensors",
                            dtype, bpe_tokenizer=False)
    except Exception as ex:
        report("causal LM", False, str(ex))

    # ---- 3. the other way: transformers -> studio -> transformers ---------------------------------
    for rope_theta, label in [(10000.0, "reverse"), (500000.0, "reverse, rope_theta 5e5")]:
        try:
            text_file = os.path.join(work, "lm.txt")
            write_lm_text(root, text_file)
            base = os.path.join(work, "hf-base-%d" % int(rope_theta))
            base_model = make_transformers_llama(base, text_file, work, rope_theta)
            print("      transformers saved a random LlamaForCausalLM (rope_theta %g) to %s: %s" % (
                rope_theta, base, sorted(os.listdir(base))), flush=True)
            # Import: the studio reads transformers' folder and computes the same logits.
            imported = os.path.join(work, "base-export-%d" % int(rope_theta))
            run([ft, "export", base, "--format", "hf", "--out", imported, "--dump-logits", imported + ".logits.safetensors"] + samples +
                ["--json"], "studio reads it (export of the base folder)")
            check_hf_export(label + ": base imported by the studio", base, imported + ".logits.safetensors")
            # Fine-tune one epoch, export, reload in transformers.
            r = run([ft, "train", "--data", text_file, "--task", "lm", "--set", "model.base=" + base, "--set", "train.epochs=1",
                     "--set", "train.batch_size=8", "--set", "train.eval_every=0", "--threads", "2", "--json"], "fine-tune it one epoch")
            tuned = os.path.join(work, "tuned-hf-%d" % int(rope_theta))
            run([ft, "export", r["run"], "--format", "hf", "--out", tuned, "--dump-logits", tuned + ".logits.safetensors"] + samples +
                ["--json"], "export the fine-tuned model")
            model = check_hf_export(label + ": fine-tuned export", tuned, tuned + ".logits.safetensors")
            g = os.path.join(work, "tuned-gguf-%d" % int(rope_theta))
            run([ft, "export", r["run"], "--format", "gguf", "--dtype", "q8_0", "--out", g, "--json"], "export it: gguf q8_0")
            check_gguf(label + ": fine-tuned gguf q8_0 read by the gguf package", root, os.path.join(g, "model-q8_0.gguf"), tuned, "q8_0")
            check_llama_cpp(label + ": fine-tuned gguf q8_0 in llama.cpp", os.path.join(g, "model-q8_0.gguf"), tuned + ".logits.safetensors",
                            "q8_0", bpe_tokenizer=True)
            with torch.no_grad():
                moved = max(float((p - q).abs().max()) for p, q in zip(model.parameters(), base_model.parameters()))
            report(label + ": weights changed by fine-tuning", moved > 1e-4, "largest change of a weight %.3g" % moved)
        except Exception as ex:
            report(label, False, str(ex))

    # ---- 5. PEFT: LoRA adapters onto the base, and the merged models ---------------------------------
    if peft is None:
        print("SKIP  PEFT: the peft package is not in .venv-interop (run interop/setup-venv.sh again to add it)")
    else:
        try:
            base_run = run([ft, "train", "--data", csv_file, "--task", "lm", "--steps", "20"] + tiny, "train a base causal LM, 20 steps")
            base_model = os.path.join(base_run["run_dir"], "model")
            base_hf = os.path.join(work, "peft-base-hf")
            run([ft, "export", base_model, "--format", "hf", "--out", base_hf, "--json"], "export the base: hf f32")
            lora = ["--set", "model.base=" + base_model, "--set", "model.lora_rank=4", "--set", "model.lora_targets=q,k,v,o,gate,up,down",
                    "--set", "train.lr=0.02", "--set", "train.batch_size=8", "--set", "train.eval_every=0", "--threads", "2", "--json"]
            for task, what in [("cls", "classifier"), ("lm", "causal LM")]:
                r = run([ft, "train", "--data", csv_file, "--task", task, "--steps", "20"] + lora, "train a LoRA %s on it, 20 steps" % what)
                adapter = os.path.join(work, "lora-%s-peft" % task)
                e = run([ft, "export", r["run"], "--format", "peft", "--out", adapter, "--dump-logits", adapter + ".logits.safetensors"] +
                        samples + ["--json"], "export it: peft f32")
                print("      studio's own verification: max abs diff %g; files %s" % (e["verification"]["max_abs_diff"], e["files"]))
                model = check_peft_adapter("LoRA %s peft" % what, adapter, base_hf, adapter + ".logits.safetensors")
                merged = os.path.join(work, "lora-%s-merged" % task)
                run([ft, "export", r["run"], "--format", "merged", "--out", merged, "--dump-logits", merged + ".logits.safetensors"] + samples +
                    ["--json"], "export it: merged f32")
                check_hf_export("LoRA %s merged" % what, merged, merged + ".logits.safetensors")
                # peft's own merge of our adapter gives our merged weights.
                folded = model.merge_and_unload()
                with safe_open(os.path.join(merged, "model.safetensors"), framework="pt") as f:
                    moved = max(float((folded.state_dict()[k].float() - f.get_tensor(k).float()).abs().max()) for k in f.keys())
                report("LoRA %s: peft's merge_and_unload equals our merged weights" % what, moved < 1e-5,
                       "largest difference of a weight %.3g" % moved)
        except Exception as ex:
            report("PEFT", False, str(ex))

    failed = [n for n, ok in results if not ok]
    print("interop: %d passed, %d failed" % (len(results) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
