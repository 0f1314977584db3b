#!/usr/bin/python3
"""Independent reference for Fine-tuning Studio's BERT encoder, in plain PyTorch.

Reads a Hugging Face model folder written by our C++ writer (config.json + model.safetensors), computes
the last hidden state and the logits of BertForSequenceClassification or BertForMaskedLM for the given
token ids, token types and lengths (right padding), and writes them as an F64 safetensors file for the
C++ test to compare.

Written from the BERT paper's formulas and HF's config fields, not from our C++ nor from transformers:
word + position + token-type embeddings, LayerNorm; per layer multi-head attention over the non-pad
keys, dense + residual + LayerNorm, GELU feed-forward, dense + residual + LayerNorm; the pooler
(tanh(dense(h_CLS))) or the mean of the token rows, then the classifier; the masked-LM transform
(dense, GELU, LayerNorm) and the decoder tied to the word embeddings plus its bias. Computed in float64
so the difference measures our fp32 rounding, not the reference's.

Runs under Debian's /usr/bin/python3 (python3-torch); the safetensors format is read with json + struct.

usage: reference_bert.py MODEL_DIR IDS TYPES LENGTHS OUT
  IDS, TYPES: rows separated by ';', values by ',' (all rows the same length); LENGTHS: "12,7,1"
"""
import json
import math
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = bytearray(blob[8 + n:])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        t = torch.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]) if end > begin else \
            torch.empty(0, dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).to(torch.float64)
    return out


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float64).contiguous()
        raw = struct.pack("<%dd" % t.numel(), *t.flatten().tolist())
        header[name] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)          # biased variance, as LayerNorm
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def gelu(x, act):
    if act == "gelu":                                        # exact: x * Phi(x)
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if act in ("gelu_new", "gelu_pytorch_tanh"):             # the tanh approximation
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    raise SystemExit("unsupported hidden_act " + act)


def linear(x, w, b):
    return x @ w.t() + b


def forward(cfg, w, ids, types, lengths):
    B, T = ids.shape
    D = cfg["hidden_size"]
    H = cfg["num_attention_heads"]
    Dh = D // H
    eps = cfg["layer_norm_eps"]
    act = cfg["hidden_act"]
    p = "bert."
    real = torch.arange(T)[None, :] < lengths[:, None]       # [B, T] True for tokens

    h = w[p + "embeddings.word_embeddings.weight"][ids] + w[p + "embeddings.position_embeddings.weight"][:T][None] \
        + w[p + "embeddings.token_type_embeddings.weight"][types]
    h = layer_norm(h, w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"], eps)
    for i in range(cfg["num_hidden_layers"]):
        q = "%sencoder.layer.%d." % (p, i)
        heads = lambda name: linear(h, w[q + "attention.self." + name + ".weight"],
                                    w[q + "attention.self." + name + ".bias"]).view(B, T, H, Dh).transpose(1, 2)
        Q, K, V = heads("query"), heads("key"), heads("value")                          # [B, H, T, Dh]
        scores = Q @ K.transpose(-2, -1) / math.sqrt(Dh)                               # [B, H, T, T]
        scores = scores.masked_fill(~real[:, None, None, :], float("-inf"))            # padding keys
        ctx = (torch.softmax(scores, -1) @ V).transpose(1, 2).reshape(B, T, D)
        a = layer_norm(linear(ctx, w[q + "attention.output.dense.weight"], w[q + "attention.output.dense.bias"]) + h,
                       w[q + "attention.output.LayerNorm.weight"], w[q + "attention.output.LayerNorm.bias"], eps)
        f = gelu(linear(a, w[q + "intermediate.dense.weight"], w[q + "intermediate.dense.bias"]), act)
        h = layer_norm(linear(f, w[q + "output.dense.weight"], w[q + "output.dense.bias"]) + a,
                       w[q + "output.LayerNorm.weight"], w[q + "output.LayerNorm.bias"], eps)
    hidden = h                                                                          # [B, T, D]

    arch = cfg["architectures"][0]
    if arch == "BertForSequenceClassification":
        if cfg.get("ftstudio_classifier_pooling", "pooler") == "mean":
            m = real.to(torch.float64)[:, :, None]
            pooled = (hidden * m).sum(1) / m.sum(1)
        else:
            pooled = torch.tanh(linear(hidden[:, 0], w[p + "pooler.dense.weight"], w[p + "pooler.dense.bias"]))
        logits = linear(pooled, w["classifier.weight"], w["classifier.bias"])             # [B, C]
    elif arch == "BertForMaskedLM":
        t = gelu(linear(hidden, w["cls.predictions.transform.dense.weight"], w["cls.predictions.transform.dense.bias"]), act)
        t = layer_norm(t, w["cls.predictions.transform.LayerNorm.weight"], w["cls.predictions.transform.LayerNorm.bias"], eps)
        logits = linear(t, w[p + "embeddings.word_embeddings.weight"], w["cls.predictions.bias"])  # [B, T, V]
    else:
        raise SystemExit("unsupported architecture " + arch)
    return hidden, logits


def rows(text):
    return torch.tensor([[int(x) for x in row.split(",")] for row in text.split(";")], dtype=torch.int64)


def main():
    folder, ids_text, types_text, lengths_text, out = sys.argv[1:6]
    with open(folder + "/config.json") as f:
        cfg = json.load(f)
    w = read_safetensors(folder + "/model.safetensors")
    lengths = torch.tensor([int(x) for x in lengths_text.split(",")], dtype=torch.int64)
    with torch.no_grad():
        hidden, logits = forward(cfg, w, rows(ids_text), rows(types_text), lengths)
    write_safetensors(out, {"hidden": hidden, "logits": logits})


if __name__ == "__main__":
    main()
