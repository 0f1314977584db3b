#!/usr/bin/python3
"""Peer of `ftstudio bench train --arch bert`: a BERT classifier (BertForSequenceClassification as
Hugging Face's eager BertModel computes it: word + position + token-type embeddings, post-LayerNorm
layers, exact GELU, an additive padding mask, tanh pooler on [CLS], dropout 0.1) trained in plain
PyTorch the way a user writes it with torch alone: cross-entropy, backward, clip_grad_norm_ 1.0,
AdamW. Written from the model's equations; same flags and output as ../shared/bench/ref_train.py,
so bench/train/compare.py runs both kinds alike. The defaults are all-MiniLM-L6-v2's shape.

Runs under Debian's /usr/bin/python3 (PyTorch 1.13, eager only: --compile says so and exits 77)
and under PyTorch 2.x (eager, or --compile for torch.compile of the model).

usage: ref_bert_train.py [--dim 384 --layers 6 --heads 12 --ffn 1536 --vocab 30522 --seq 128 --batch 16]
                         [--classes 6] [--steps 20] [--warmup 3] [--threads 2] [--min-len N] [--bf16]
                         [--compile] [--no-optimizer] [--json]
prints: params=<int> step_ms=<float> tokens_per_s=<float>   (ref_train's line; with --json one object)
--min-len N: row lengths uniform in [N, seq] (the first row full), right-padded with id 0, as the
trainer's batches; tokens_per_s counts every position. --no-optimizer: forward + backward only (the
step of tests/model/bert_bench, whose quick figure this file used to give as tests/model/bert_bench_ref.py).
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    """One post-LayerNorm encoder layer: self-attention, add & norm, GELU feed-forward, add & norm."""

    def __init__(self, D, H, Fd, p):
        super().__init__()
        self.H, self.p = H, p
        self.query, self.key, self.value = nn.Linear(D, D), nn.Linear(D, D), nn.Linear(D, D)
        self.attn_out, self.ln1 = nn.Linear(D, D), nn.LayerNorm(D, eps=1e-12)
        self.inter, self.out, self.ln2 = nn.Linear(D, Fd), nn.Linear(Fd, D), nn.LayerNorm(D, eps=1e-12)

    def forward(self, x, mask):  # x [B,T,D], mask [B,1,1,T] additive
        B, T, D = x.shape
        H, Dh = self.H, D // self.H

        def split(t):  # [B,T,D] -> [B,H,T,Dh]
            return t.view(B, T, H, Dh).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(Dh) + mask           # [B,H,T,T]
        probs = F.dropout(torch.softmax(scores, -1), self.p, self.training)
        ctx = (probs @ v).transpose(1, 2).reshape(B, T, D)                # [B,T,D]
        a = self.ln1(F.dropout(self.attn_out(ctx), self.p, self.training) + x)
        return self.ln2(F.dropout(self.out(F.gelu(self.inter(a))), self.p, self.training) + a)


class Classifier(nn.Module):
    def __init__(self, V, D, L, H, Fd, C, positions, p=0.1):
        super().__init__()
        self.word, self.pos, self.types = nn.Embedding(V, D), nn.Embedding(positions, D), nn.Embedding(2, D)
        self.ln, self.p = nn.LayerNorm(D, eps=1e-12), p
        self.layers = nn.ModuleList([Layer(D, H, Fd, p) for _ in range(L)])
        self.pooler, self.classifier = nn.Linear(D, D), nn.Linear(D, C)
        for m in self.modules():  # HF's initialisation: normal(0, 0.02), zero biases, zero padding row
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)
        with torch.no_grad():
            self.word.weight[0].zero_()

    def forward(self, ids, attention_mask):  # ids [B,T], attention_mask [B,T] 1 real / 0 pad -> logits [B,C]
        T = ids.shape[1]
        h = self.word(ids) + self.pos.weight[:T] + self.types.weight[0]
        h = F.dropout(self.ln(h), self.p, self.training)
        mask = (1.0 - attention_mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min  # [B,1,1,T]
        for layer in self.layers:
            h = layer(h, mask)
        pooled = torch.tanh(self.pooler(h[:, 0]))
        return self.classifier(F.dropout(pooled, self.p, self.training))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for k, v in dict(dim=384, layers=6, heads=12, ffn=1536, vocab=30522, seq=128, batch=16, steps=20, warmup=3,
                     threads=2, classes=6, min_len=0).items():
        p.add_argument("--" + k.replace("_", "-"), type=int, default=v)
    p.add_argument("--task", default="cls", help="cls only (a BERT classifier): accepted for ref_train.py's flags")
    p.add_argument("--bf16", action="store_true", help="bf16 autocast")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (PyTorch 2.x)")
    p.add_argument("--no-optimizer", action="store_true", help="time forward + backward only")
    p.add_argument("--json", action="store_true", help="one JSON object instead of the key=value line")
    a = p.parse_args()
    if a.task != "cls":
        p.error("--task must be cls: this is a classifier")
    if a.compile and not hasattr(torch, "compile"):
        print(f"skipped: --compile needs torch.compile (PyTorch 2.x); this is PyTorch {torch.__version__}", file=sys.stderr)
        sys.exit(77)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    m = Classifier(a.vocab, a.dim, a.layers, a.heads, a.ffn, a.classes, max(a.seq, 512)).train()
    opt = torch.optim.AdamW(m.parameters(), lr=3e-4, weight_decay=0.01)
    B, T = a.batch, a.seq
    ids = torch.randint(1, a.vocab, (B, T))
    lengths = torch.full((B,), T)
    if 0 < a.min_len < T:
        lengths = torch.randint(a.min_len, T + 1, (B,))
        lengths[0] = T
    mask = (torch.arange(T)[None, :] < lengths[:, None]).long()  # [B,T]
    ids = ids * mask
    y = torch.randint(0, a.classes, (B,))
    fwd = torch.compile(m) if a.compile else m

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
            loss = F.cross_entropy(fwd(ids, mask).float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if not a.no_optimizer:
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    times, losses = [], []
    # perf_counter exactly twice, around the timed steps, as ref_train.py: compare.py's shim reads the
    # processor time at those two calls. Each step's own time comes from monotonic.
    t = time.perf_counter()
    for _ in range(a.steps):
        s0 = time.monotonic()
        losses.append(step())
        times.append((time.monotonic() - s0) * 1e3)
    dt = (time.perf_counter() - t) / a.steps
    n = sum(p.numel() for p in m.parameters())
    if a.json:
        print(json.dumps({"impl": f"pytorch {torch.__version__} {'compile' if a.compile else 'eager'}",
                          "tokens_per_s": B * T / dt, "step_ms": dt * 1e3, "median_step_ms": statistics.median(times),
                          "params": n, "first_loss": losses[0], "last_loss": losses[-1], "step_times_ms": times,
                          "threads": a.threads, "optimizer": not a.no_optimizer,
                          "shape": {"arch": "bert", "task": "cls", "dim": a.dim, "layers": a.layers, "heads": a.heads,
                                    "vocab": a.vocab, "seq": T, "batch": B, "ffn": a.ffn, "classes": a.classes,
                                    "min_len": a.min_len, "tokens": int(lengths.sum())}}))
    else:
        print(f"params={n} step_ms={dt*1e3:.1f} tokens_per_s={B*T/dt:.0f}")


if __name__ == "__main__":
    main()
