#!/usr/bin/python3
"""The peer of tests/model/bert_bench.cpp: the same BERT classifier step (forward + backward, no
optimizer, dropout 0.1) written the way HF's eager BertModel computes it, in plain PyTorch (Debian's
/usr/bin/python3 with python3-torch 1.13). Prints JSON like bert_bench.

usage: bert_bench_ref.py [--steps 5] [--warmup 2] [--threads 2] [--batch 16] [--seq 128]
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, D, H, Fd, p):
        super().__init__()
        self.H, self.p = H, p
        self.query, self.key, self.value = nn.Linear(D, D), nn.Linear(D, D), nn.Linear(D, D)
        self.attn_out, self.ln1 = nn.Linear(D, D), nn.LayerNorm(D, eps=1e-12)
        self.inter, self.out, self.ln2 = nn.Linear(D, Fd), nn.Linear(Fd, D), nn.LayerNorm(D, eps=1e-12)

    def forward(self, x, mask):
        B, T, D = x.shape
        H, Dh = self.H, D // self.H
        split = lambda t: t.view(B, T, H, Dh).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(Dh) + mask
        probs = F.dropout(torch.softmax(scores, -1), self.p, self.training)
        ctx = (probs @ v).transpose(1, 2).reshape(B, T, D)
        a = self.ln1(F.dropout(self.attn_out(ctx), self.p, self.training) + x)
        return self.ln2(F.dropout(self.out(F.gelu(self.inter(a))), self.p, self.training) + a)


class Classifier(nn.Module):
    def __init__(self, V, D, L, H, Fd, C, p=0.1):
        super().__init__()
        self.word, self.pos, self.types = nn.Embedding(V, D), nn.Embedding(512, D), nn.Embedding(2, D)
        self.ln, self.p = nn.LayerNorm(D, eps=1e-12), p
        self.layers = nn.ModuleList([Layer(D, H, Fd, p) for _ in range(L)])
        self.pooler, self.classifier = nn.Linear(D, D), nn.Linear(D, C)

    def forward(self, ids, attention_mask):
        T = ids.shape[1]
        h = self.word(ids) + self.pos.weight[:T] + self.types.weight[0]
        h = F.dropout(self.ln(h), self.p, self.training)
        mask = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            h = layer(h, mask)
        pooled = torch.tanh(self.pooler(h[:, 0]))
        return self.classifier(F.dropout(pooled, self.p, self.training))


def main():
    ap = argparse.ArgumentParser()
    for name, default in [("steps", 5), ("warmup", 2), ("threads", 2), ("batch", 16), ("seq", 128)]:
        ap.add_argument("--" + name, type=int, default=default)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Classifier(30522, 384, 6, 12, 1536, 6).train()
    ids = torch.randint(1, 30522, (a.batch, a.seq))
    mask = torch.ones(a.batch, a.seq, dtype=torch.long)
    labels = torch.randint(0, 6, (a.batch,))
    ms = []
    for s in range(a.warmup + a.steps):
        model.zero_grad(set_to_none=True)
        t0 = time.perf_counter()
        F.cross_entropy(model(ids, mask), labels).backward()
        dt = (time.perf_counter() - t0) * 1000
        if s >= a.warmup:
            ms.append(dt)
    med = statistics.median(ms)
    print(json.dumps({"impl": "pytorch " + torch.__version__ + " eager", "median_ms": med,
                      "tokens_per_s": a.batch * a.seq / (med / 1000), "threads": a.threads}))


if __name__ == "__main__":
    main()
