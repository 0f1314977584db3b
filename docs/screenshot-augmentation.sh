#!/usr/bin/env bash
# Retakes docs/screenshot-augmentation.png (and, with SHOT_LANG=zh_CN.UTF-8 and the positions below,
# screenshot-augmentation-zh_CN.png): the example project opened, the Augmentation tab clicked, Preview
# clicked, the mouse over the first synonym replacement so its change-log tooltip shows.
# Needs xvfb-run, xdotool and ImageMagick's import. Positions are for a 1280x780 window:
#   English:  docs/screenshot-augmentation.sh
#   Chinese:  SHOT_LANG=zh_CN.UTF-8 TAB_X=110 PREVIEW_Y=467 HOVER_X=400 HOVER_Y=655 \
#             docs/screenshot-augmentation.sh docs/screenshot-augmentation-zh_CN.png
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/screenshot-augmentation.png}
home=$(mktemp -d /tmp/ftstudio-shot.XXXXXX)
trap 'rm -rf "$home"' EXIT
FTSTUDIO_HOME=$home LANG=${SHOT_LANG:-en_US.UTF-8} LC_ALL=${SHOT_LANG:-en_US.UTF-8} xvfb-run -a -s "-screen 0 1280x780x24" bash -c '
  app=$1 project=$2 out=$3
  "$app" "$project" & pid=$!
  for _ in $(seq 60); do win=$(xdotool search --onlyvisible --pid $pid 2>/dev/null | head -1) && [ -n "$win" ] && break; sleep 0.5; done
  sleep 3
  xdotool windowmove "$win" 0 0 windowsize "$win" 1280 780
  sleep 1
  xdotool mousemove ${TAB_X:-129} ${TAB_Y:-65} click 1; sleep 1
  xdotool mousemove ${PREVIEW_X:-55} ${PREVIEW_Y:-420} click 1; sleep ${WAIT:-6}
  xdotool mousemove ${HOVER_X:-470} ${HOVER_Y:-588}; sleep 2
  import -window root "$out" && echo "$out"
  kill $pid; wait $pid 2>/dev/null || true' _ "$root/build/bin/finetune-studio" "$root/projects/fortune-topics/fortune-topics.ftproject" "$out"
