#!/usr/bin/env bash
# Builds the Fortune topics data set from Debian's `fortunes` / `fortunes-min` packages:
# each quotation is labelled with the topic file it comes from. Deterministic: every fifth entry of
# each topic goes to the fixed test split, the rest to train; train-500.csv takes an even share of
# each topic's training rows to make a low-data variant of about 500 samples.
# Usage: make-data.sh [OUT_DIR]   (default: data/ beside this script). Needs only bash and awk.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/data}
src=${FORTUNES_DIR:-/usr/share/games/fortunes}
topics=(computers science politics food sports medicine law education)

for t in "${topics[@]}"; do
  if [ ! -r "$src/$t" ]; then
    echo "make-data.sh: $src/$t is missing: install the Debian packages fortunes and fortunes-min" >&2
    exit 1
  fi
done

mkdir -p "$out"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for t in "${topics[@]}"; do
  # Entries are separated by lines holding only '%'. Whitespace is collapsed to single spaces;
  # entries shorter than 20 characters are left out. One "topic<TAB>entry" line each.
  awk -v topic="$t" '
    function flush() {
      gsub(/[ \t\r\n]+/, " ", entry); sub(/^ /, "", entry); sub(/ $/, "", entry)
      if (length(entry) >= 20) print topic "\t" entry
      entry = ""
    }
    $0 == "%" { flush(); next }
    { entry = entry "\n" $0 }
    END { flush() }
  ' "$src/$t" >> "$tmp/all.tsv"
done

# A quotation filed under two topics has no single right label (and would put one text in both the
# training and the test split): such quotations are left out, and counted. Repeats within a topic
# count once. Every fifth entry of a topic goes to the test split. Quotes are doubled for CSV.
awk -F '\t' -v train="$tmp/train.body" -v test="$tmp/test.body" '
  NR == FNR { if (!(($2, $1) in pair)) { pair[$2, $1] = 1; topics[$2]++ } next }
  topics[$2] > 1 { if (!($2 in ambiguous)) { ambiguous[$2] = 1; dropped++ } next }
  $2 in seen { next }
  {
    seen[$2] = 1
    e = $2; gsub(/"/, "\"\"", e)
    line = "\"" e "\"," $1
    if (n[$1] % 5 == 4) print line >> test; else print line >> train
    n[$1]++
  }
  END { if (dropped) printf "fortune-topics: %d quotations filed under more than one topic left out\n", dropped > "/dev/stderr" }
' "$tmp/all.tsv" "$tmp/all.tsv"

{ echo "text,label"; cat "$tmp/train.body"; } > "$tmp/train.csv"
{ echo "text,label"; cat "$tmp/test.body"; } > "$tmp/test.csv"
# Low-data variant: the same fraction of every topic, about 500 rows in all.
total=$(wc -l < "$tmp/train.body")
awk -v total="$total" -v want=500 '
  NR == FNR { n[$NF]++; next }
  { l = $NF; seen[l]++; quota = int(n[l] * want / total + 0.5); if (quota < 1) quota = 1; if (seen[l] <= quota) print }
' FS=',' "$tmp/train.body" "$tmp/train.body" > "$tmp/train500.body"
{ echo "text,label"; cat "$tmp/train500.body"; } > "$tmp/train-500.csv"

mv "$tmp/train.csv" "$out/train.csv"
mv "$tmp/test.csv" "$out/test.csv"
mv "$tmp/train-500.csv" "$out/train-500.csv"
echo "fortune-topics: $(($(wc -l < "$out/train.csv") - 1)) train, $(($(wc -l < "$out/test.csv") - 1)) test, $(($(wc -l < "$out/train-500.csv") - 1)) in train-500 -> $out"
