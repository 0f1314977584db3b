#!/usr/bin/env python3
"""`make interop` check of the studio's own tokenizer.json tokenizers (WordPiece, byte-level BPE)
against Hugging Face `tokenizers`: for every tokenizer.json it is given (the fixtures of
tests/fixtures/tokenizers, the model folders under models/, and any named on the command line), each
line of a mixed corpus (the held-out fixture text, English, Chinese, emoji, code, runs of spaces, the
example projects' data, Debian's fortunes, seeded random Unicode) is encoded by `ftstudio tokenizer encode DIR --file F --json`
and by tokenizers' encode(line, add_special_tokens=False); the ids must be equal line for line.
Prints lines, matches and the first mismatch per tokenizer, and both encoders' speed on one thread.
Exits 1 when any line differs.

  .venv-interop/bin/python interop/check_tokenizers.py --ftstudio build/bin/ftstudio [--root .] [tokenizer.json ...]
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # one thread, as the studio is run below
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from tokenizers import Tokenizer  # noqa: E402

MAX_FILE_BYTES = 400_000      # per corpus file: enough variety without a long run
MAX_CORPUS_BYTES = 6_000_000


def random_unicode_lines(count=3000, seed=7):
    """Lines of random code points from every plane in use (controls, marks, CJK extensions, emoji, private
    use, characters newer than some Unicode tables), seeded: the corners a real corpus rarely reaches."""
    import random
    rng = random.Random(seed)
    blocks = [(0x20, 0x7E), (0x00, 0x1F), (0x7F, 0x9F), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x4FF), (0x590, 0x6FF),
              (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x1680, 0x18AF), (0x2000, 0x22FF), (0x3000, 0x30FF),
              (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA900, 0xA9FF), (0xAC00, 0xD7A3), (0xE000, 0xE0FF), (0xF900, 0xFAFF),
              (0xFE00, 0xFE0F), (0xFF00, 0xFFFD), (0x10000, 0x1007F), (0x11100, 0x111FF), (0x11F00, 0x11F5F), (0x1E900, 0x1E95F),
              (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0x2B820, 0x2B92F), (0x31350, 0x323AF), (0xE0000, 0xE007F)]
    lines = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(1, 40)):
            lo, hi = rng.choice(blocks)
            c = rng.randint(lo, hi)
            if c in (0x0A, 0x0D) or 0xD800 <= c <= 0xDFFF:
                c = 0x20
            chars.append(chr(c))
            if rng.random() < 0.2:
                chars.append(" " * rng.randint(1, 4))
        lines.append("".join(chars))
    return lines


def corpus_files(root):
    files = [os.path.join(root, "tests/fixtures/tokenizers/heldout.txt")]
    for pattern in ("projects/*/data/*", "projects/*/data/*/*"):
        files += sorted(glob.glob(os.path.join(root, pattern)))
    fortunes = "/usr/share/games/fortunes"
    if os.path.isdir(fortunes):
        files += sorted(os.path.join(fortunes, f) for f in os.listdir(fortunes) if not f.endswith((".dat", ".u8")))
    return [f for f in files if os.path.isfile(f)]


def build_corpus(root, path):
    """Concatenates the head of each corpus file (text only, valid UTF-8 lines) into one file."""
    total, used = 0, []
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for f in corpus_files(root):
            with open(f, "rb") as fh:
                raw = fh.read(MAX_FILE_BYTES)
            if b"\0" in raw:
                continue  # binary
            text = raw.decode("utf-8", errors="replace")
            if f.endswith(".txt") or "\n" in text:
                text = text[: text.rfind("\n") + 1] if "\n" in text else text + "\n"
            out.write(text)
            total += len(text.encode("utf-8"))
            used.append(f)
            if total > MAX_CORPUS_BYTES:
                break
        for line in random_unicode_lines():
            out.write(line + "\n")
            total += len(line.encode("utf-8")) + 1
    return used, total


def studio_encode(ftstudio, tokenizer_json, corpus):
    cmd = [ftstudio, "tokenizer", "encode", tokenizer_json, "--file", corpus, "--json", "--threads", "1", "--stats"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    rows = [json.loads(line)["ids"] for line in p.stdout.splitlines()]
    stats = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    seconds = float(stats.split(" in ")[1].split(" s")[0]) if " in " in stats else float("nan")
    return rows, seconds


def hf_encode(tokenizer_json, lines):
    tok = Tokenizer.from_file(tokenizer_json)
    tok.no_truncation()  # MiniLM's file bakes in truncation and padding to 128; ids of the text only
    tok.no_padding()
    t0 = time.perf_counter()
    rows = [tok.encode(line, add_special_tokens=False).ids for line in lines]
    per_line = time.perf_counter() - t0
    # encode_batch spends less time in Python per line (its own threads held to one above).
    t0 = time.perf_counter()
    tok.encode_batch(lines, add_special_tokens=False)
    return rows, min(per_line, time.perf_counter() - t0), tok


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def check(ftstudio, tokenizer_json, corpus, lines):
    ours, our_s = studio_encode(ftstudio, tokenizer_json, corpus)
    theirs, their_s, tok = hf_encode(tokenizer_json, lines)
    if len(ours) != len(theirs):
        print("FAIL  tokenizer %s: the studio gave %d lines, tokenizers %d" % (tokenizer_json, len(ours), len(theirs)))
        return False
    matches = sum(o == t for o, t in zip(ours, theirs))
    tokens = sum(map(len, theirs))
    ok = matches == len(lines)
    print("%s  tokenizer %s: %d lines, %d match, %d differ; %d tokens; studio %.0f tokens/s, tokenizers %.0f tokens/s (one thread, its faster of encode and encode_batch)"
          % ("PASS" if ok else "FAIL", tokenizer_json, len(lines), matches, len(lines) - matches, tokens,
             tokens / our_s if our_s > 0 else 0, tokens / their_s if their_s > 0 else 0), flush=True)
    if not ok:
        k = next(i for i in range(len(lines)) if ours[i] != theirs[i])
        d = first_difference(ours[k], theirs[k])
        print("      first mismatch, line %d: %r" % (k + 1, lines[k][:300]))
        print("      from token %d: studio %s %s" % (d, ours[k][d:d + 8], [tok.id_to_token(i) for i in ours[k][d:d + 8]]))
        print("                     tokenizers %s %s" % (theirs[k][d:d + 8], [tok.id_to_token(i) for i in theirs[k][d:d + 8]]))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ftstudio", required=True)
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--work", default=None, help="folder for the corpus file (default: a temporary one)")
    ap.add_argument("tokenizers", nargs="*", help="more tokenizer.json files to check")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    files = sorted(glob.glob(os.path.join(root, "tests/fixtures/tokenizers/*/tokenizer.json")))
    files += sorted(f for f in glob.glob(os.path.join(root, "models/**/tokenizer.json"), recursive=True) if "/.cache/" not in f)
    files += a.tokenizers
    work = a.work or tempfile.mkdtemp(prefix="ftstudio-tokenizers.")
    corpus = os.path.join(work, "tokenizer-corpus.txt")
    used, size = build_corpus(root, corpus)
    with open(corpus, encoding="utf-8", newline="") as f:
        data = f.read()
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    print("      tokenizer corpus: %d lines, %d bytes from %d files (fixture held-out text, projects' data, fortunes) and 3000 random Unicode lines"
          % (len(lines), size, len(used)), flush=True)
    ok = True
    for tj in files:
        try:
            ok = check(a.ftstudio, tj, corpus, lines) and ok
        except Exception as e:  # noqa: BLE001 - report and go on with the next tokenizer
            print("FAIL  tokenizer %s: %s" % (tj, e), flush=True)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
