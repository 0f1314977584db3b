#!/usr/bin/env bash
# Builds the Chinese poems data set from Debian's `fortunes-zh` package: the Tang poems of `tang300`
# and the Song poems of `song100`, each as a prompt/response pair for generation:
#   {"prompt": "《静夜思》李白", "response": "床前明月光，\n疑是地上霜。\n..."}
# The prompt is the title and the author (the poet's dates dropped), the response the poem with its
# line breaks. ANSI colour escapes (ESC[..m) are stripped, blank lines dropped, repeats kept once.
# Deterministic: every 10th poem (counted over tang300 then song100) goes to the test split.
# Usage: make-data.sh [OUT_DIR]   (default: data/ beside this script). Needs only bash, sed and awk.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/data}
src=${FORTUNES_DIR:-/usr/share/games/fortunes}

for f in tang300 song100; do
  if [ ! -r "$src/$f" ]; then
    echo "make-data.sh: $src/$f is missing: install the Debian package fortunes-zh" >&2
    exit 1
  fi
done

mkdir -p "$out"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Bytes, not characters: the patterns are ASCII or whole UTF-8 sequences, so every awk (mawk, gawk)
# gives the same result in any locale.
export LC_ALL=C
sed 's/\x1b\[[0-9;]*m//g' "$src/tang300" "$src/song100" | awk -v train="$tmp/train.jsonl" -v test="$tmp/test.jsonl" '
  function trim(s) {
    gsub(/^([ \t\r]|\343\200\200)+/, "", s)   # spaces, tabs, ideographic spaces (U+3000)
    gsub(/([ \t\r]|\343\200\200)+$/, "", s)
    return s
  }
  function json(s) {
    gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s); gsub(/\n/, "\\n", s)
    return "\"" s "\""
  }
  function flush() {
    if (title != "" && poem != "" && !(poem in seen)) {
      seen[poem] = 1
      # 《静夜思》李白; a title with words after its closing bracket keeps a space before the poet.
      prompt = title (substr(title, length(title) - 2) == "》" ? "" : " ") author
      line = "{\"prompt\": " json(prompt) ", \"response\": " json(poem) "}"
      if (n % 10 == 9) print line > test; else print line > train
      n++
    }
    title = ""; author = ""; poem = ""; k = 0
  }
  $0 == "%" { flush(); next }
  {
    s = trim($0)
    if (s == "") next
    k++
    if (k == 1) { sub(/^题目(:|：)/, "", s); title = trim(s); next }
    if (k == 2 && s ~ /^作者(:|：)/) {
      sub(/^作者(:|：)/, "", s)
      sub(/（[^（]*）$/, "", s); sub(/\([^(]*\)$/, "", s)   # the dates: （９４６－９９９）
      author = trim(s); next
    }
    poem = poem (poem == "" ? "" : "\n") s
  }
  END { flush() }
'
mv "$tmp/train.jsonl" "$out/train.jsonl"
mv "$tmp/test.jsonl" "$out/test.jsonl"
echo "chinese-poems: $(wc -l < "$out/train.jsonl") train, $(wc -l < "$out/test.jsonl") test -> $out"
