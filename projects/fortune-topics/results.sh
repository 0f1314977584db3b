#!/usr/bin/env bash
# Reproduces the figures of docs/RESULTS.md for the Fortune topics project: every method on the
# low-data (about 500 samples) and full-data variants, 3 seeds each, scored on the fixed test split.
# Each run is one `ftstudio train --project ... --set ... --json` command; this script prints the
# command before running it and appends its JSON result, as one line, to OUT
# (default build/results/fortune-topics.jsonl). `results-table.py OUT` then prints the tables
# (mean and standard deviation over the seeds).
#
# Usage: results.sh [OUT] [METHOD...]     METHOD among majority bow scratch full lora frozen adapted
#                                          (default: all but adapted)
#   FTSTUDIO_BIN  the ftstudio to run (default: build/bin/ftstudio of this checkout)
#   SEEDS         default "1 2 3";  VARIANTS  default "low full"
#   JOBS          runs at a time (default 1, on all cores); with JOBS=2 each run takes one thread,
#                 which on 2 cores finishes the set sooner (small models scale poorly to 2 threads)
#   ADAPTED       for the method "adapted": the model folder of a fortune-domain run (its model/)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build/results/fortune-topics.jsonl}
shift || true
methods=("$@")
[ ${#methods[@]} -gt 0 ] || methods=(majority bow scratch full lora frozen)
ftstudio=${FTSTUDIO_BIN:-$root/build/bin/ftstudio}
base=$root/projects/base-model/model
jobs=${JOBS:-1}
export FTSTUDIO_HOME=${FTSTUDIO_HOME:-$root/build/results/home}
mkdir -p "$(dirname "$out")" "$FTSTUDIO_HOME"
[ -f "$here/data/train.csv" ] || bash "$here/make-data.sh"
[ -f "$base/config.json" ] || { echo "results.sh: $base is missing (it ships with the repository)" >&2; exit 1; }

# The settings of each method on top of the project file (which fine-tunes the base model in full).
# Network runs share one schedule: up to 12 epochs (full data) or 30 (low data), evaluated at each
# epoch's end on the validation split made from the training file, stopped after 3 evaluations
# without a better validation macro-F1; the best weights are the ones tested.
settings() {  # METHOD -> --set arguments
  case "$1" in
    majority) echo "--set model.type=majority" ;;
    bow)      echo "--set model.type=bow" ;;
    scratch)  echo "--set model.base= --set model.vocab_size=8000 --set model.hidden_size=256 --set model.layers=4 --set model.heads=4 --set model.tie_embeddings=true --set train.lr=0.001" ;;
    full)     echo "--set model.base=$base --set train.lr=0.0003" ;;
    lora)     echo "--set model.base=$base --set model.lora_rank=8 --set model.lora_alpha=16 --set model.lora_targets=q,k,v,o,gate,up,down --set train.lr=0.002" ;;
    frozen)   echo "--set model.base=$base --set model.freeze_embeddings=true --set model.freeze_layers=2 --set train.lr=0.0003" ;;
    # all-MiniLM-L6-v2 from `make models` (a BERT encoder; mean pooling of its sentence-transformers folder).
    minilm)   echo "--set model.base=$root/models/all-minilm-l6-v2 --set train.lr=0.0001" ;;
    minilm-lora) echo "--set model.base=$root/models/all-minilm-l6-v2 --set model.lora_rank=8 --set model.lora_alpha=16 --set model.lora_targets=q,k,v,o,up,down --set train.lr=0.001" ;;
    adapted)  [ -n "${ADAPTED:-}" ] || { echo "results.sh: set ADAPTED to the adapted model folder" >&2; exit 2; }
              echo "--set model.base=$ADAPTED --set train.lr=0.0003" ;;
    *) echo "results.sh: unknown method $1" >&2; exit 2 ;;
  esac
}

# One line per run: variant, method, seed, command.
plan=$(mktemp)
trap 'rm -f "$plan"' EXIT
threads=""
[ "$jobs" -gt 1 ] && threads="--threads 1"
for variant in ${VARIANTS:-low full}; do
  if [ "$variant" = low ]; then project=$here/fortune-topics-500.ftproject; epochs=30; else project=$here/fortune-topics.ftproject; epochs=12; fi
  for method in "${methods[@]}"; do
    for seed in ${SEEDS:-1 2 3}; do
      schedule=""
      case "$method" in majority|bow) ;; *)
        schedule="--set train.epochs=$epochs --set train.steps=0 --set train.eval_every=0 --set train.early_stopping_metric=macro_f1 --set train.early_stopping_patience=3 --set train.warmup_steps=30" ;;
      esac
      printf '%s\t%s\t%s\t%s\n' "$variant" "$method" "$seed" \
        "$ftstudio train --project $project $(settings "$method") $schedule --set train.seed=$seed $threads --json" >> "$plan"
    done
  done
done

run_one() {  # VARIANT METHOD SEED COMMAND
  local shown=${4//$root\//}
  echo "+ $shown" >&2
  local start end result
  start=$(date +%s)
  result=$($4 2>/dev/null) || true
  end=$(date +%s)
  [ -n "$result" ] || result='{"status":"crashed"}'
  # One write of one line: concurrent runs append whole lines.
  printf '{"variant":"%s","method":"%s","seed":%s,"seconds":%s,"command":"%s","result":%s}\n' \
    "$1" "$2" "$3" "$((end - start))" "$shown" "$result" >> "$out"
}
export -f run_one
export root out
tr '\n' '\0' < "$plan" | xargs -0 -P "$jobs" -I{} bash -c 'IFS=$'"'"'\t'"'"' read -r v m s c <<< "$1"; run_one "$v" "$m" "$s" "$c"' _ {}
echo "results in $out; tables: /usr/bin/python3 $here/results-table.py $out" >&2
