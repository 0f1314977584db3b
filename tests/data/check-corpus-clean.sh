#!/usr/bin/env bash
# CTest test_corpus_clean: the pretraining corpus shares no text with the example projects' data.
#   1. the corpus of projects/base-model/corpus/ (prepared by prepare-corpus.sh when missing) is
#      the one its manifest describes (sha256 of train.txt and valid.txt), and the one the shipped
#      base model was pretrained on (pretrain-report.json's fingerprint);
#   2. `ftstudio data overlap` finds nothing between it and every data file of the example projects
#      (projects/*/data when built, else built afresh here by the projects' make-data.sh);
#   3. the same command does find text of those files planted in a copy of two corpus lines, so the
#      check in 2 cannot pass for want of looking.
# Usage: check-corpus-clean.sh FTSTUDIO_BIN SOURCE_DIR WORK_DIR   (CORPUS_DIR overrides the corpus)
set -euo pipefail
ftstudio=$1
src=$2
work=$3
corpus=${CORPUS_DIR:-$src/projects/base-model/corpus}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$work"

if [ ! -s "$corpus/train.txt" ] || [ ! -s "$corpus/valid.txt" ] || [ ! -s "$corpus/manifest.json" ]; then
  echo "no corpus in $corpus: preparing it (projects/base-model/prepare-corpus.sh)"
  FTSTUDIO_BIN=$ftstudio bash "$src/projects/base-model/prepare-corpus.sh" "$corpus"
fi

# 1. The files are the ones the manifest describes.
"$python" - "$corpus" <<'PY'
import hashlib, json, os, sys
corpus = sys.argv[1]
manifest = json.load(open(os.path.join(corpus, "manifest.json"), encoding="utf-8"))
for name in ("train.txt", "valid.txt"):
    h = hashlib.sha256(open(os.path.join(corpus, name), "rb").read()).hexdigest()
    if h != manifest["files"][name]["sha256"]:
        sys.exit(f"{corpus}/{name} is not the file its manifest describes (sha256 {h}): run projects/base-model/prepare-corpus.sh again")
print(f"corpus {manifest['fingerprint']}: {manifest['files']['train.txt']['documents']} + {manifest['files']['valid.txt']['documents']} documents")
# The shipped base model was pretrained on exactly this corpus (its report names the fingerprint):
# the same Debian packages rebuild it byte for byte, and so the decontamination below covers it.
report_path = os.path.join(os.path.dirname(corpus.rstrip("/")), "pretrain-report.json")
if os.environ.get("CORPUS_DIR") is None and os.path.exists(report_path):
    shipped = json.load(open(report_path, encoding="utf-8"))["corpus"]["manifest_fingerprint"]
    if shipped != manifest["fingerprint"]:
        sys.exit(f"{corpus}: fingerprint {manifest['fingerprint']}, but the shipped base model was trained on {shipped} "
                 f"({report_path}): the Debian packages or prepare-corpus.sh changed; pretrain again or restore them")
    print(f"the shipped base model was pretrained on this corpus ({report_path})")
PY

# 2. The example projects' data: every file their project files name.
against=()
for spec in fortune-topics:train.csv fortune-topics:test.csv fortune-topics:train-500.csv \
            chinese-poems:train.jsonl chinese-poems:test.jsonl; do
  project=${spec%%:*}
  file=${spec#*:}
  if [ -s "$src/projects/$project/data/$file" ]; then
    against+=("$src/projects/$project/data/$file")
  else
    [ -s "$work/$project/$file" ] || bash "$src/projects/$project/make-data.sh" "$work/$project"
    against+=("$work/$project/$file")
  fi
done

rc=0
"$ftstudio" data overlap --corpus "$corpus/train.txt" "$corpus/valid.txt" --against "${against[@]}" || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "FAIL: the pretraining corpus overlaps the example projects' data (exit $rc; pairs above)." >&2
  echo "      Run projects/base-model/prepare-corpus.sh again: it removes every overlapping document." >&2
  exit 1
fi

# 3. The check is live: a test poem and a test quotation planted inside corpus lines are found.
"$python" - "$corpus/valid.txt" "${against[1]}" "${against[4]}" "$work/planted.txt" <<'PY'
import csv, json, sys
valid, quotes, poems, out = sys.argv[1:]
lines = open(valid, encoding="utf-8").read().split("\n")[:2]
quote = next(csv.DictReader(open(quotes, encoding="utf-8", newline="")))["text"]
poem = json.loads(open(poems, encoding="utf-8").readline())["response"]
with open(out, "w", encoding="utf-8") as f:
    f.write(lines[0][:200] + " " + " ".join(quote.split()) + " " + lines[0][200:400] + "\n")
    f.write(lines[1][:200] + " " + poem.replace("\n", "") + " " + lines[1][200:400] + "\n")
PY
rc=0
"$ftstudio" data overlap --corpus "$work/planted.txt" --against "${against[@]}" > "$work/planted.out" || rc=$?
cat "$work/planted.out"
if [ "$rc" -ne 1 ] || ! grep -q "^$work/planted.txt:1 overlaps ${against[1]}:2: " "$work/planted.out" ||
   ! grep -q "^$work/planted.txt:2 overlaps ${against[4]}:1: " "$work/planted.out"; then
  echo "FAIL: planted text was not found (exit $rc): the overlap check is not looking" >&2
  exit 1
fi
echo "PASS: no overlap between the corpus and ${#against[@]} example data files; planted text found"
