#!/usr/bin/env bash
# Builds the pretraining corpus of the base model from Debian packages, free of the example
# projects' evaluation text:
#   dict-gcide, dict-foldoc, dict-jargon   one document per dictionary article (markup stripped)
#   bible-kjv + bible-kjv-text             one document per chapter of the King James Bible
#   fortunes-zh (`chinese`)                one document per entry (ANSI colour escapes stripped)
# Output in OUT_DIR (default: corpus/ beside this script, git-ignored):
#   train.txt, valid.txt   UTF-8, one document per line; valid.txt holds ~1% of the documents,
#                          chosen by a hash of their text (for held-out perplexity)
#   manifest.json          per source: package and version, file, documents, bytes; sha256 of both
#                          files; one fingerprint for the corpus; what decontamination removed
# Decontamination: every document that shares a run of 8 words or 10 CJK characters (or holds a
# short text whole) with the data of the example projects (fortune-topics, chinese-poems: built
# afresh here by their make-data.sh) is removed by `ftstudio data overlap`, and the same check then
# runs on the result and must find nothing.
# Deterministic: the same packages give byte-identical files. About 15-30 s on 2 cores.
# Usage: prepare-corpus.sh [OUT_DIR]
#   FTSTUDIO_BIN   the ftstudio to run (default: build/bin/ftstudio of this checkout)
#   PYTHON         Debian's Python 3 (default: /usr/bin/python3; only its standard library is used)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/corpus}
ftstudio=${FTSTUDIO_BIN:-$root/build/bin/ftstudio}
python=${PYTHON:-/usr/bin/python3}
dictd=${DICTD_DIR:-/usr/share/dictd}
fortunes=${FORTUNES_DIR:-/usr/share/games/fortunes}

say() { echo "prepare-corpus.sh: $*" >&2; }

missing=()
need_file() {  # FILE PACKAGE
  [ -r "$1" ] || { say "$1 is missing: install the Debian package $2"; missing+=("$2"); }
}
for d in gcide foldoc jargon; do
  need_file "$dictd/$d.dict.dz" "dict-$d"
  need_file "$dictd/$d.index" "dict-$d"
done
need_file /usr/lib/bible.data bible-kjv-text
command -v "${BIBLE_BIN:-bible}" >/dev/null 2>&1 || { say "the 'bible' program is missing: install the Debian package bible-kjv"; missing+=(bible-kjv); }
need_file "$fortunes/chinese" fortunes-zh
need_file "$fortunes/tang300" fortunes-zh
need_file "$fortunes/computers" fortunes   # the example data (fortune-topics) checks the rest itself
[ -x "$python" ] || { say "$python is missing: install the Debian package python3"; missing+=(python3); }
if [ ${#missing[@]} -gt 0 ]; then
  packages=$(printf '%s\n' "${missing[@]}" | sort -u | paste -sd' ')
  say "missing Debian packages: $packages (run 'make deps', or as root: apt-get install $packages)"
  exit 1
fi
if [ ! -x "$ftstudio" ]; then
  say "$ftstudio is missing: build it first (cmake --build build --target ftstudio), or set FTSTUDIO_BIN"
  exit 1
fi

mkdir -p "$out"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out"

for p in dict-gcide dict-foldoc dict-jargon bible-kjv bible-kjv-text fortunes-zh fortunes fortunes-min; do
  printf '%s\t%s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo unknown)"
done > "$tmp/packages.tsv"

# 1. Every source's documents, cleaned, deduplicated, in a fixed order.
"$python" "$here/prepare_corpus.py" extract "$tmp"

# 2. The example projects' data, built afresh by their own scripts (the same bytes as projects/*/data).
bash "$root/projects/fortune-topics/make-data.sh" "$tmp/against/fortune-topics" >&2
bash "$root/projects/chinese-poems/make-data.sh" "$tmp/against/chinese-poems" >&2
against=("$tmp/against/fortune-topics/train.csv" "$tmp/against/fortune-topics/test.csv"
         "$tmp/against/chinese-poems/train.jsonl" "$tmp/against/chinese-poems/test.jsonl")

# 3. Which documents overlap them (exit 1 means some do: that is what this step is for).
rc=0
"$ftstudio" data overlap --corpus "$tmp/documents.txt" --against "${against[@]}" --json > "$tmp/overlap.json" || rc=$?
if [ "$rc" -gt 1 ]; then
  say "ftstudio data overlap failed (exit $rc)"
  exit 1
fi

# 4. Those documents removed; train/valid split; manifest.
"$python" "$here/prepare_corpus.py" finish "$tmp" "$tmp/out" "$tmp/overlap.json" "$tmp/packages.tsv"

# 5. The same check on the result must find nothing.
if ! "$ftstudio" data overlap --corpus "$tmp/out/train.txt" "$tmp/out/valid.txt" --against "${against[@]}" > "$tmp/recheck.txt"; then
  cat "$tmp/recheck.txt" >&2
  say "decontamination failed: the corpus still overlaps the example data (above)"
  exit 1
fi

# The manifest last: whoever sees it sees the files it describes.
mv "$tmp/out/train.txt" "$out/train.txt"
mv "$tmp/out/valid.txt" "$out/valid.txt"
mv "$tmp/out/manifest.json" "$out/manifest.json"
"$python" - "$out/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
for s in m["sources"]:
    print(f"  {s['name']:8} {s['documents']:7d} documents {s['bytes'] / 1e6:6.1f} MB  (removed by decontamination: {s['removed_by_decontamination']})")
f = m["files"]
print(f"  train.txt {f['train.txt']['documents']} documents, {f['train.txt']['bytes'] / 1e6:.1f} MB; valid.txt {f['valid.txt']['documents']} documents, {f['valid.txt']['bytes'] / 1e6:.2f} MB")
print(f"  fingerprint {m['fingerprint']}")
PY
say "corpus ready in $out"
