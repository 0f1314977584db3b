#!/usr/bin/env bash
# `make interop`: proves that the tools people use load what Fine-tuning Studio exports.
#   1. creates .venv-interop/ (PyPI: torch, transformers, safetensors, sentencepiece, gguf, peft) once;
#   2. trains tiny models with ftstudio, exports them, and checks with those tools (interop/interop.py):
#      transformers' Auto classes load the HF exports (causal LM, classification) with the same token ids
#      and logits; the gguf package reads the GGUF exports; a Llama saved by transformers is imported,
#      fine-tuned one epoch, exported and reloaded by transformers; peft loads the LoRA adapters the studio
#      trains (classifier and causal LM) onto its HF export of their base, and transformers the merged models;
#   3. the studio's WordPiece and byte-level BPE tokenizers give Hugging Face tokenizers' ids on a mixed
#      corpus (interop/check_tokenizers.py).
# Options: --no-setup (use the existing venv; fail if there is none), --keep (leave the work folder).
# FTSTUDIO_BIN chooses the ftstudio binary (default: build/bin/ftstudio, made by `make build`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
setup=1
keep=0
for arg in "$@"; do
  case "$arg" in
    --no-setup) setup=0 ;;
    --keep) keep=1 ;;
    *) echo "interop/run.sh: unknown option '$arg' (known: --no-setup, --keep)" >&2; exit 2 ;;
  esac
done

ftstudio="${FTSTUDIO_BIN:-$root/build/bin/ftstudio}"
if [ ! -x "$ftstudio" ]; then
  echo "interop: $ftstudio does not exist: build it first (make build), or set FTSTUDIO_BIN" >&2
  exit 1
fi
if [ "$setup" = 1 ]; then
  bash "$root/interop/setup-venv.sh"
elif [ ! -x "$root/.venv-interop/bin/python" ]; then
  echo "interop: no .venv-interop/: run 'make interop' once to create it" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ftstudio-interop.XXXXXX")"
if [ "$keep" = 1 ]; then
  echo "interop: work folder $work (kept)"
else
  trap 'rm -rf "$work"' EXIT
fi
# Runs of these checks live in their own studio home, never the user's.
export FTSTUDIO_HOME="$work/home"
status=0
"$root/.venv-interop/bin/python" "$root/interop/interop.py" --ftstudio "$ftstudio" --work "$work" --root "$root" || status=$?
# The studio's tokenizer.json tokenizers give tokenizers' ids, line for line (interop/check_tokenizers.py).
"$root/.venv-interop/bin/python" "$root/interop/check_tokenizers.py" --ftstudio "$ftstudio" --work "$work" --root "$root" || status=$?
# BERT: transformers and our encoder on the same weights (interop/check_bert.py; helper bin/bert_logits beside ftstudio).
"$root/.venv-interop/bin/python" "$root/interop/check_bert.py" --bin "$(dirname "$ftstudio")" --work "$work/bert" --root "$root" || status=$?
# rope_scaling linear and llama3: transformers and our decoder on the same weights (interop/check_rope_scaling.py; helper bin/llama_logits).
"$root/.venv-interop/bin/python" "$root/interop/check_rope_scaling.py" --bin "$(dirname "$ftstudio")" --work "$work/rope" || status=$?
# GGUF import: dequantization equals the gguf package's, tokenizer.json gives tokenizers' ids (interop/gguf_import.py).
"$root/.venv-interop/bin/python" "$root/interop/gguf_import.py" --ftstudio "$ftstudio" --work "$work/gguf-import" || status=$?
exit $status
