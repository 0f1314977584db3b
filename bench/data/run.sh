#!/bin/sh
# Data and tokenizer benchmarks (figures go to docs/BENCHMARKS.md, section "Data and tokenizer").
#   bench/data/run.sh [BIN_DIR] [CSV_MB] [TOKENIZE_MB]
# BIN_DIR holds ftstudio and the bench_* programs (default build/bin). Work files go to
# ${FTS_BENCH_DIR:-/tmp/fts-bench-data}. Needs /usr/bin/time and spm_encode (Debian: sentencepiece).
set -eu
BIN=${1:-build/bin}
CSV_MB=${2:-100}
TOK_MB=${3:-20}
WORK=${FTS_BENCH_DIR:-/tmp/fts-bench-data}
mkdir -p "$WORK"
CSV="$WORK/bench${CSV_MB}.csv"
TEXT="$WORK/tokenize${TOK_MB}.txt"

echo "== machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
[ -f "$CSV" ] || "$BIN/bench_make_csv" "$CSV" "$CSV_MB"

echo "== parse + validate (loadDataset, skip policy), then profile"
/usr/bin/time -v "$BIN/bench_parse" "$CSV" --profile 2> "$WORK/parse.time"
grep -E "Maximum resident|Elapsed" "$WORK/parse.time"
awk -v mb="$(stat -c %s "$CSV")" '/Maximum resident/ {printf "peak RSS / file size: %.2f\n", $6 * 1024 / mb}' "$WORK/parse.time"

# Real English text: Debian's fortunes (about 2 MB; the tokenizer trains on it), repeated to
# TOK_MB for the timing. Without them, a slice of the generated CSV (a poorer vocabulary).
FORTUNES=/usr/share/games/fortunes
TRAIN="$WORK/tokenizer-train.txt"
if [ -d "$FORTUNES" ]; then
  for f in "$FORTUNES"/*; do
    case "$f" in *.dat|*.u8) ;; *) [ -f "$f" ] && grep -v '^%$' "$f" ;; esac
  done > "$TRAIN"
else
  head -c 2M "$CSV" | sed '$d' > "$TRAIN"
fi
: > "$TEXT"
while [ "$(stat -c %s "$TEXT")" -lt $((TOK_MB * 1048576)) ]; do cat "$TRAIN" >> "$TEXT"; done
echo "== tokenize: ours vs spm_encode on the same $(($(stat -c %s "$TEXT") / 1048576)) MB of lines ($(basename "$TRAIN") repeated)"
[ -f "$WORK/tok/tokenizer.model" ] ||
  "$BIN/ftstudio" tokenizer train --input "$TRAIN" --vocab-size 8000 --out "$WORK/tok" 2> "$WORK/tokenizer-train.log"
/usr/bin/time -f "%e %M" -o "$WORK/spm.time" spm_encode --model="$WORK/tok/tokenizer.model" --output_format=id \
  < "$TEXT" > "$WORK/spm.ids"
SPM_S=$(cut -d' ' -f1 "$WORK/spm.time")
SPM_IDS=$(wc -w < "$WORK/spm.ids")
"$BIN/bench_tokenize" "$WORK/tok/tokenizer.model" "$TEXT" | tee "$WORK/ours.txt"
awk -v s="$SPM_S" -v b="$(stat -c %s "$TEXT")" -v ids="$SPM_IDS" '
  BEGIN { mb = b / 1048576; spm = mb / s; printf "spm_encode --output_format=id: %.2f s, %.2f MB/s, %d ids\n", s, spm, ids }
  /encode, 1 thread/        { printf "ratio encode (1 thread) / spm_encode: %.2f\n", $(NF-3) / spm }
  /encode \+ print ids/     { printf "ratio encode + print ids (1 thread) / spm_encode: %.2f\n", $(NF-1) / spm }
  /encodeMany/              { printf "ratio encodeMany (all cores) / spm_encode: %.2f\n", $(NF-3) / spm }
' "$WORK/ours.txt"
