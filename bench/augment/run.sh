#!/bin/sh
# Augmentation throughput, ours against nlpaug on the same sentences (docs/BENCHMARKS.md).
#   bench/augment/run.sh [BIN_DIR] [STRIDE]
# BIN_DIR holds bench_augment (default build/bin). nlpaug runs on every STRIDE-th sentence (default 5:
# its synonym replacement takes about a millisecond a sentence). Needs .venv-interop with nlpaug and
# nltk (pip install nlpaug nltk), Debian's fortunes, fortunes-zh and wordnet-base.
set -eu
BIN=${1:-build/bin}
STRIDE=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${FTS_BENCH_DIR:-/tmp/fts-bench-augment}
mkdir -p "$WORK"
PY="$ROOT/.venv-interop/bin/python"
echo "== machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
"$BIN/bench_augment" --write "$WORK" | tee "$WORK/ours.txt"
if "$PY" -c "import nlpaug, nltk" 2>/dev/null; then
  "$PY" "$ROOT/bench/augment/nlpaug_bench.py" "$WORK" --ours "$WORK/ours.txt" --stride "$STRIDE"
else
  echo "nlpaug: not installed in $ROOT/.venv-interop (pip install nlpaug nltk): no ratio"
fi
