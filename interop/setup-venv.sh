#!/usr/bin/env bash
# Creates .venv-interop/ at the repository root with the outside tools that `make interop` checks our
# exports against: PyPI's torch, transformers, tokenizers, safetensors, sentencepiece, gguf and peft (which loads
# our LoRA adapters), and pyarrow for `make models` (GloVe's Parquet word list; packaging/fetch-models.sh
# installs it into an older venv that lacks it); with INTEROP_LLAMA_CPP=1 also llama-cpp-python (llama.cpp itself).
# Idempotent: a venv that already imports everything is left as it is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-interop"
py="${INTEROP_PYTHON:-python3}"
packages=(torch transformers tokenizers safetensors sentencepiece protobuf gguf peft numpy pyarrow)

install_llama_cpp() {
  # Optional: llama.cpp itself, compiled from source by pip (about 10 minutes on 2 cores).
  if [ "${INTEROP_LLAMA_CPP:-0}" = 1 ] && ! "$venv/bin/python" -c "import llama_cpp" 2>/dev/null; then
    echo "interop: building llama-cpp-python (llama.cpp from source; about 10 minutes)"
    "$venv/bin/python" -m pip install --quiet llama-cpp-python
  fi
}

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, transformers, tokenizers, safetensors, sentencepiece, gguf, peft" 2>/dev/null; then
  install_llama_cpp
  exit 0
fi
echo "interop: creating $venv (PyPI: ${packages[*]}; torch is large, this takes a few minutes)"
if ! "$py" -m venv "$venv"; then
  echo "interop: '$py -m venv' failed: install Python's venv module (Debian: apt-get install python3-venv) or set INTEROP_PYTHON" >&2
  exit 1
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
if ! "$venv/bin/python" -m pip install --quiet "${packages[@]}"; then
  echo "interop: pip could not install ${packages[*]} from PyPI: check the network, then run 'make interop' again" >&2
  # A half-made venv would make the CTest interop test think the tools are there.
  rm -rf "$venv"
  exit 1
fi
"$venv/bin/python" - <<'PY'
import torch, transformers, safetensors, sentencepiece, gguf, peft
print("interop: torch", torch.__version__, "| transformers", transformers.__version__, "| gguf", getattr(gguf, "__version__", "?"),
      "| sentencepiece", sentencepiece.__version__, "| peft", peft.__version__)
PY
install_llama_cpp
