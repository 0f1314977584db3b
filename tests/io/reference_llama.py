#!/usr/bin/python3
"""Independent reference for Fine-tuning Studio's Llama forward pass, in plain PyTorch.

Reads a Hugging Face model folder written by our C++ writer (config.json + model.safetensors), computes
the logits of Hugging Face's LlamaForCausalLM or LlamaForSequenceClassification for the given token ids,
and writes them as an F64 safetensors file for the C++ test to compare.

Written from the Hugging Face formulas (transformers' modeling_llama), not from our C++: RMSNorm,
rotate_half RoPE (with rope_scaling "linear" or "llama3", from transformers 4's rope_scaling or
transformers 5's rope_parameters), grouped-query attention via repeat_kv, SwiGLU MLP, causal mask,
optional q/k/v biases, tied embeddings, and HF's pooling on the token before the first pad. Computed in float64 so the
difference measures our fp32 rounding, not the reference's.

Runs under Debian's /usr/bin/python3 (python3-torch); the `safetensors` package is not needed, the
format is read with json + struct below.

usage: reference_llama.py MODEL_DIR IDS OUT
  IDS: rows separated by ';', ids by ',' (all rows the same length), e.g. "5,9,3;7,3,3"
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


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def repeat_kv(x, n_rep):  # [B, Hkv, T, Dh] -> [B, Hkv * n_rep, T, Dh], each kv head serving n_rep query heads
    b, hkv, t, dh = x.shape
    return x[:, :, None, :, :].expand(b, hkv, n_rep, t, dh).reshape(b, hkv * n_rep, t, dh)


def linear(x, w, b=None):
    y = x @ w.t()
    return y + b if b is not None else y


def rope_settings(cfg):
    """(theta, scaling dict) from config.json: rope_scaling (transformers 4, null when unscaled) wins over
    rope_parameters (transformers 5, with rope_theta inside); the type under "rope_type" or the older "type"."""
    theta = cfg.get("rope_theta", 10000.0)
    scaling = cfg.get("rope_scaling")
    if not scaling and isinstance(cfg.get("rope_parameters"), dict):
        scaling = cfg["rope_parameters"]
        theta = scaling.get("rope_theta", theta)
    scaling = dict(scaling or {})
    scaling["rope_type"] = scaling.get("rope_type", scaling.get("type", "default"))
    return theta, scaling


def inverse_frequencies(cfg, dh):
    """theta^(-2i/dh), i < dh/2, scaled as the config says.

    linear: positions divided by factor, which is the same as every frequency divided by factor.
    llama3: per frequency, by its wavelength 2*pi/f against the pretraining context L (original_max_
    position_embeddings): longer than L/low_freq_factor -> f/factor; shorter than L/high_freq_factor -> f;
    between, f * (s + (1-s)/factor) with s = (L/wavelength - low) / (high - low), which runs linearly in
    L/wavelength from 0 (at the long end, f/factor) to 1 (at the short end, f).
    """
    theta, sc = rope_settings(cfg)
    f = 1.0 / (theta ** (torch.arange(0, dh, 2, dtype=torch.float64) / dh))
    kind = sc["rope_type"]
    if kind == "default":
        return f
    if kind == "linear":
        return f / sc["factor"]
    if kind == "llama3":
        factor, low, high = sc["factor"], sc["low_freq_factor"], sc["high_freq_factor"]
        L = sc.get("original_max_position_embeddings") or cfg["max_position_embeddings"]
        out = []
        for fi in f.tolist():
            wavelength = 2 * math.pi / fi
            if wavelength > L / low:
                out.append(fi / factor)
            elif wavelength < L / high:
                out.append(fi)
            else:
                s = (L / wavelength - low) / (high - low)
                out.append(fi * (s + (1 - s) / factor))
        return torch.tensor(out, dtype=torch.float64)
    raise SystemExit("reference: rope type %r not implemented" % kind)


def forward(cfg, w, ids):
    B, T = ids.shape
    D = cfg["hidden_size"]
    H = cfg["num_attention_heads"]
    Hkv = cfg.get("num_key_value_heads") or H
    Dh = D // H
    eps = cfg.get("rms_norm_eps", 1e-6)
    bias = cfg.get("attention_bias", False)

    inv_freq = inverse_frequencies(cfg, Dh)                           # [Dh/2]
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()                                   # [T, Dh]
    mask = torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1)

    h = w["model.embed_tokens.weight"][ids]                           # [B, T, D]
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        x = rms_norm(h, w[p + "input_layernorm.weight"], eps)
        get_b = (lambda n: w[p + "self_attn." + n + ".bias"]) if bias else (lambda n: None)
        q = linear(x, w[p + "self_attn.q_proj.weight"], get_b("q_proj")).view(B, T, H, Dh).transpose(1, 2)
        k = linear(x, w[p + "self_attn.k_proj.weight"], get_b("k_proj")).view(B, T, Hkv, Dh).transpose(1, 2)
        v = linear(x, w[p + "self_attn.v_proj.weight"], get_b("v_proj")).view(B, T, Hkv, Dh).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, H // Hkv), repeat_kv(v, H // Hkv)
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(Dh) + mask, dim=-1)   # [B, H, T, T]
        o = (att @ v).transpose(1, 2).reshape(B, T, D)
        # Llama biases o_proj too when attention_bias is set; Qwen2 biases q/k/v only.
        o_bias = w[p + "self_attn.o_proj.bias"] if bias and cfg.get("model_type", "llama") != "qwen2" else None
        h = h + linear(o, w[p + "self_attn.o_proj.weight"], o_bias)
        x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        gate = linear(x, w[p + "mlp.gate_proj.weight"])
        h = h + linear(torch.nn.functional.silu(gate) * linear(x, w[p + "mlp.up_proj.weight"]),
                       w[p + "mlp.down_proj.weight"])
    h = rms_norm(h, w["model.norm.weight"], eps)                      # [B, T, D]

    arch = cfg["architectures"][0]
    if arch.endswith("ForCausalLM"):
        head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
        return linear(h, head)                                        # [B, T, V]
    if arch.endswith("ForSequenceClassification"):
        logits = linear(h, w["score.weight"])                         # [B, T, C]
        # HF: the token before the first pad (the last one when a row has no pad).
        last = (torch.eq(ids, cfg["pad_token_id"]).int().argmax(-1) - 1) % T
        return logits[torch.arange(B), last]                          # [B, C]
    raise SystemExit("unsupported architecture " + arch)


def main():
    folder, ids_text, out = sys.argv[1:4]
    with open(folder + "/config.json") as f:
        cfg = json.load(f)
    w = read_safetensors(folder + "/model.safetensors")
    ids = torch.tensor([[int(x) for x in row.split(",")] for row in ids_text.split(";")], dtype=torch.int64)
    with torch.no_grad():
        logits = forward(cfg, w, ids)
    write_safetensors(out, {"logits": logits})


if __name__ == "__main__":
    main()
