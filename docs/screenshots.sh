#!/usr/bin/env bash
# Retakes the README's screenshots of the main window: the example project opened, a run started
# with a click on Train (TRAIN_X, TRAIN_Y: its place in a 1280x780 window) and the window grabbed when the run has finished (training.png) or is
# halfway (running.png), in English and in Simplified Chinese (zh_CN.png).
# Needs xvfb-run, xdotool and ImageMagick's import (apt-get install xvfb xdotool imagemagick).
# Usage: [ONLY=en|zh_CN] docs/screenshots.sh [OUTDIR]   (default docs/; runs go to a throwaway FTSTUDIO_HOME)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs}
app=$root/build/bin/finetune-studio
project=$root/projects/fortune-topics/fortune-topics.ftproject
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT

mkdir -p "$out"

shoot() {  # LANG SIZE SECONDS:NAME...  (seconds after Ctrl+R, one window for all the shots)
  local lang=$1 size=$2
  shift 2
  FTSTUDIO_HOME=$home LANG=$lang LC_ALL=$lang xvfb-run -a -s "-screen 0 ${size}x24" bash -c '
    app=$1 project=$2 out=$3 size=$4
    shift 4
    "$app" "$project" & pid=$!
    for _ in $(seq 60); do win=$(xdotool search --onlyvisible --pid $pid 2>/dev/null | head -1) && [ -n "$win" ] && break; sleep 0.5; done
    sleep 3
    xdotool windowmove "$win" 0 0 windowsize "$win" ${size%x*} ${size#*x} mousemove ${TRAIN_X:-499} ${TRAIN_Y:-634} click 1
    waited=0
    for shot in "$@"; do
      sleep $((${shot%%:*} - waited)); waited=${shot%%:*}
      import -window root "$out/screenshot-${shot#*:}.png" && echo "$out/screenshot-${shot#*:}.png"
    done
    kill $pid; wait $pid 2>/dev/null || true' _ "$app" "$project" "$out" "$size" "$@"
}
# The Chinese labels are wider: the Train button sits elsewhere. ONLY=en or ONLY=zh_CN takes one set.
[ "${ONLY:-en}" = en ] && shoot en_US.UTF-8 1280x780 "${RUNNING_AFTER:-25}:running" "${FINISHED_AFTER:-150}:training"
[ "${ONLY:-zh_CN}" = zh_CN ] && TRAIN_X=399 TRAIN_Y=705 shoot zh_CN.UTF-8 1280x780 "${FINISHED_AFTER:-150}:zh_CN"
true
