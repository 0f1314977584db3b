#!/usr/bin/env bash
# How OpenMP's wait policy changes our training speed, on a quiet machine and with one busy process
# beside it (a `yes` loop, the kind of load any other program puts on a core). Prints tokens/s of
# `ftstudio bench train` for each policy and shape, median of REPS runs, interleaved.
# Usage: bench/train/omp_policy.sh [FTSTUDIO] [REPS]
set -euo pipefail
ftstudio=${1:-build/bin/ftstudio}
reps=${2:-3}
shapes=("cls128:--dim 128 --layers 2 --heads 4 --vocab 8000 --seq 64 --batch 8 --task cls"
        "lm256:--dim 256 --layers 4 --heads 4 --vocab 8000 --seq 128 --batch 16 --task lm")
policies=("libgomp default:FTS_KEEP_OMP_DEFAULTS=1" "GOMP_SPINCOUNT=100000:GOMP_SPINCOUNT=100000" "GOMP_SPINCOUNT=10000:GOMP_SPINCOUNT=10000"
          "GOMP_SPINCOUNT=1000:GOMP_SPINCOUNT=1000" "OMP_WAIT_POLICY=PASSIVE:OMP_WAIT_POLICY=PASSIVE")
tps() {  # ENV SHAPE_ARGS -> tokens/s
  env $1 "$ftstudio" bench train $2 --steps 20 --threads 2 --json 2>/dev/null | tail -1 | sed 's/.*"tokens_per_s":\([0-9.]*\).*/\1/'
}
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
printf '| load | shape | policy | tokens/s (median of %s) |\n| --- | --- | --- | --- |\n' "$reps"
for load in quiet busy; do
  hog=""
  if [ $load = busy ]; then yes > /dev/null & hog=$!; fi
  for shape in "${shapes[@]}"; do
    declare -A got=()
    for ((r = 0; r < reps; r++)); do
      for p in "${policies[@]}"; do got[${p%%:*}]+="$(tps "${p#*:}" "${shape#*:}") "; done
    done
    for p in "${policies[@]}"; do
      printf '| %s (load %s) | %s | %s | %s |\n' "$load" "$(cut -d' ' -f1 /proc/loadavg)" "${shape%%:*}" "${p%%:*}" \
        "$(tr ' ' '\n' <<< "${got[${p%%:*}]}" | grep . | median)"
    done
    unset got
  done
  [ -n "$hog" ] && kill $hog
done
