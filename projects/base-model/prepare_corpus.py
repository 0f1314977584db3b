#!/usr/bin/python3
"""The pretraining corpus from Debian packages: the steps of prepare-corpus.sh that need Python.

    prepare_corpus.py extract OUT_DIR        documents of every source -> OUT_DIR/documents.txt
                                             (one per line) and OUT_DIR/sources.txt (the source of each)
    prepare_corpus.py finish WORK_DIR OUT_DIR OVERLAP_JSON PACKAGES_TSV
                                             drops the documents `ftstudio data overlap` found, splits
                                             train/valid, writes OUT_DIR/{train.txt,valid.txt,manifest.json}

Only the standard library of Debian's Python 3 (/usr/bin/python3). Deterministic: the same package
files give byte-identical output (no time stamps, no dictionary order, no randomness).
"""
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata

DICTD = os.environ.get("DICTD_DIR", "/usr/share/dictd")
FORTUNES = os.environ.get("FORTUNES_DIR", "/usr/share/games/fortunes")
BIBLE = os.environ.get("BIBLE_BIN", "bible")

# One held-out document in VALID_MODULUS, chosen by a hash of its text (stable under reordering
# and under changes to other documents).
VALID_MODULUS = 100

# ---------------------------------------------------------------------------------------------
# Text clean-up shared by every source


_CJK = ("\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31f0-\u31ff"
        "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
        "\U00020000-\U0003134f")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_CONTROL = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\ufeff]")
_ANSI = re.compile("\x1b\\[[0-9;]*[A-Za-z]")


def one_line(text):
    """Whitespace (any Unicode space, line breaks) collapsed to single spaces, controls removed, and
    no space left between two CJK characters: Chinese is written without spaces, so a line break
    inside a Chinese entry joins its two lines directly."""
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    return _SPACE_BETWEEN_CJK.sub("", text)


def decode(data, what):
    """UTF-8; the few stray Windows-1252 bytes of GCIDE (a 0x92 apostrophe) read as Windows-1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    out, i = [], 0
    while i < len(data):
        try:
            out.append(data[i:].decode("utf-8"))
            break
        except UnicodeDecodeError as e:
            out.append(data[i:i + e.start].decode("utf-8"))
            out.append(data[i + e.start:i + e.start + 1].decode("cp1252", errors="replace"))
            i += e.start + 1
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# dictd dictionaries: GCIDE, FOLDOC, Jargon

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _b64(number):
    value = 0
    for c in number:
        value = value * 64 + _B64[c]
    return value


def dict_entries(name):
    """The articles of a dictd database, in file order, through its index (each article once, even
    when several headwords point at it); the 00-database-* header articles left out."""
    index_path = os.path.join(DICTD, name + ".index")
    with gzip.open(os.path.join(DICTD, name + ".dict.dz")) as f:
        data = f.read()
    spans = set()
    with open(index_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0].startswith("00-database") or parts[0].startswith("00database"):
                continue
            spans.add((_b64(parts[1]), _b64(parts[2])))
    for offset, length in sorted(spans):
        yield decode(data[offset:offset + length], name)


_GCIDE_SOURCE = re.compile(r"\[(?:[^\[\]]*(?:Webster|WordNet|PJC|Century Dict|RHUD|RDH)[^\[\]]*|AS|MW\d*|NIH|JST|Chambers 1727)\]")
# Pronunciation: \Ab"so*lute\ and the respelling that may follow it: (h[i^]m) or (-ment).
# Both may wrap onto the next line; the length limits keep a stray backslash from eating text.
_GCIDE_PRON = re.compile(r"\\[^\\]{1,80}\\(?:\s*\((?=[^()]{0,120}[\[\]\"*`]|-)[^()]{0,120}\))?")
_GCIDE_BRACES = re.compile(r"\{([^{}]*)\}")
_ACCENTS = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", ",": "\u0327"}
_GCIDE_ACCENT_BEFORE = re.compile(r"\[(['`\"^~=.,])([A-Za-z])\]")   # ['e] -> é
_GCIDE_BREVE = re.compile(r"\[([A-Za-z])\^\]")                      # [a^] -> ă
# Marks whose exact letter is uncertain ([-o], [*a], [=oo], [oo^]): the plain letters.
_GCIDE_PLAIN = re.compile(r"\[(?:[-*=]([A-Za-z]{1,2})|([A-Za-z]{2})\^)\]")
_GREEK = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega".split()
_GCIDE_NAMED = {"ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "imac": "ī", "aum": "ä", "eth": "ð", "thorn": "þ",
                "yogh": "ȝ", "deg": "°", "sect": "§", "root": "√", "pounds": "£", "times": "×", "flat": "♭",
                "sharp": "♯", "frac12": "½", "frac14": "¼", "frac34": "¾",
                # pronunciation symbols that escaped the respelling: their plain letters
                "asl": "a", "add": "a", "udd": "u", "ng": "ng", "th": "th", "dsdot": "d"}
for _i, _name in enumerate(_GREEK):
    _GCIDE_NAMED[_name] = chr(0x3B1 + _i + (1 if _i >= 17 else 0))   # no final sigma
    _GCIDE_NAMED[_name.capitalize()] = chr(0x391 + _i + (1 if _i >= 17 else 0))
_GCIDE_NAMED_RE = re.compile(r"\[(" + "|".join(sorted(map(re.escape, _GCIDE_NAMED), key=len, reverse=True)) + r")\]")


def clean_gcide(text):
    text = _GCIDE_SOURCE.sub(" ", text)       # [1913 Webster], [WordNet 1.5], [PJC] ...
    text = _GCIDE_PRON.sub("", text)          # \Ab"so*lute\ (h[i^]m)
    text = _GCIDE_NAMED_RE.sub(lambda m: _GCIDE_NAMED[m.group(1)], text)
    text = _GCIDE_ACCENT_BEFORE.sub(lambda m: m.group(2) + _ACCENTS[m.group(1)], text)
    text = _GCIDE_BREVE.sub(lambda m: m.group(1) + "\u0306", text)
    text = _GCIDE_PLAIN.sub(lambda m: m.group(1) or m.group(2), text)
    while True:                               # {cross-reference} -> cross-reference (nested too)
        stripped = _GCIDE_BRACES.sub(r"\1", text)
        if stripped == text:
            break
        text = stripped
    text = text.replace("{", "").replace("}", "")  # unbalanced ones in WordNet's term lists
    text = re.sub(r"<[^<>\n]{1,40}>", " ", text)   # stray tags
    text = re.sub(r" +([,;.])", r"\1", text)        # "Absolute , adj." after the pronunciation went
    return unicodedata.normalize("NFC", one_line(text))


_FOLDOC_CATEGORY = re.compile(r"<[a-z][a-z0-9 ,.'/-]*>")   # <language>, <operating system>
_FOLDOC_DATE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)")        # (1994-11-01): when the entry was edited


def clean_foldoc(text):
    text = _FOLDOC_CATEGORY.sub(" ", text)
    text = _FOLDOC_DATE.sub(" ", text)
    text = re.sub(r"\{([^{}]*)\}", r"\1", text)
    return one_line(text)


def clean_jargon(text):
    return one_line(re.sub(r"\{([^{}]*)\}", r"\1", text))


# ---------------------------------------------------------------------------------------------
# The King James Bible: one document per chapter

BOOKS = {
    "Ge": "Genesis", "Exo": "Exodus", "Lev": "Leviticus", "Num": "Numbers", "Deu": "Deuteronomy",
    "Josh": "Joshua", "Jdgs": "Judges", "Ruth": "Ruth", "1Sm": "1 Samuel", "2Sm": "2 Samuel",
    "1Ki": "1 Kings", "2Ki": "2 Kings", "1Chr": "1 Chronicles", "2Chr": "2 Chronicles", "Ezra": "Ezra",
    "Neh": "Nehemiah", "Est": "Esther", "Job": "Job", "Psa": "Psalms", "Prv": "Proverbs",
    "Eccl": "Ecclesiastes", "SSol": "Song of Solomon", "Isa": "Isaiah", "Jer": "Jeremiah",
    "Lam": "Lamentations", "Eze": "Ezekiel", "Dan": "Daniel", "Hos": "Hosea", "Joel": "Joel",
    "Amos": "Amos", "Obad": "Obadiah", "Jonah": "Jonah", "Mic": "Micah", "Nahum": "Nahum",
    "Hab": "Habakkuk", "Zep": "Zephaniah", "Hag": "Haggai", "Zec": "Zechariah", "Mal": "Malachi",
    "Mat": "Matthew", "Mark": "Mark", "Luke": "Luke", "John": "John", "Acts": "Acts", "Rom": "Romans",
    "1Cor": "1 Corinthians", "2Cor": "2 Corinthians", "Gal": "Galatians", "Eph": "Ephesians",
    "Phi": "Philippians", "Col": "Colossians", "1Th": "1 Thessalonians", "2Th": "2 Thessalonians",
    "1Tim": "1 Timothy", "2Tim": "2 Timothy", "Titus": "Titus", "Phmn": "Philemon", "Heb": "Hebrews",
    "Jas": "James", "1Pet": "1 Peter", "2Pet": "2 Peter", "1Jn": "1 John", "2Jn": "2 John",
    "3Jn": "3 John", "Jude": "Jude", "Rev": "Revelation",
}
_VERSE = re.compile(r"^([1-3]?[A-Za-z]+)(\d+):(\d+) (.*)$")


def bible_chapters():
    """`bible -f` prints one verse a line ("Ge1:1 In the beginning ..."); a verse that wraps (when
    COLUMNS is small) continues on lines without a reference."""
    env = dict(os.environ)
    env["COLUMNS"] = "100000"
    out = subprocess.run([BIBLE, "-f", "gen1:1-rev22:21"], check=True, capture_output=True, env=env,
                         stdin=subprocess.DEVNULL).stdout
    chapters, key, verses = [], None, []
    for line in decode(out, "bible").splitlines():
        m = _VERSE.match(line)
        if not m:
            if verses and line.strip():
                verses[-1] += " " + line
            continue
        book, chapter, _, text = m.groups()
        if book not in BOOKS:
            sys.exit(f"prepare_corpus.py: the bible program printed an unknown book '{book}' ({line[:40]}): "
                     "is bible-kjv a different version? Extend BOOKS in projects/base-model/prepare_corpus.py")
        if (book, chapter) != key:
            if verses:
                chapters.append((key, verses))
            key, verses = (book, chapter), []
        verses.append(text)
    if verses:
        chapters.append((key, verses))
    if len(chapters) != 1189:
        sys.exit(f"prepare_corpus.py: the bible program printed {len(chapters)} chapters, not the 1189 of the KJV")
    for (book, chapter), verses in chapters:
        yield one_line(f"{BOOKS[book]} {chapter}: " + " ".join(verses))


# ---------------------------------------------------------------------------------------------
# Chinese: fortunes-zh's `chinese` file, one document per entry


def fortune_entries(path):
    with open(path, "rb") as f:
        text = _ANSI.sub("", decode(f.read(), path))
    entry = []
    for line in text.split("\n"):
        if line.strip() in ("%", "%%"):
            yield "\n".join(entry)
            entry = []
        else:
            entry.append(line)
    yield "\n".join(entry)


# ---------------------------------------------------------------------------------------------

SOURCES = [
    # name, Debian package(s), file, documents
    ("gcide", "dict-gcide", f"{DICTD}/gcide.dict.dz", lambda: map(clean_gcide, dict_entries("gcide"))),
    ("foldoc", "dict-foldoc", f"{DICTD}/foldoc.dict.dz", lambda: map(clean_foldoc, dict_entries("foldoc"))),
    ("jargon", "dict-jargon", f"{DICTD}/jargon.dict.dz", lambda: map(clean_jargon, dict_entries("jargon"))),
    ("kjv", "bible-kjv-text", "/usr/lib/bible.data", bible_chapters),
    ("chinese", "fortunes-zh", f"{FORTUNES}/chinese", lambda: map(one_line, fortune_entries(f"{FORTUNES}/chinese"))),
]

MIN_BYTES = 24   # shorter documents (a bare cross-reference, an empty article) teach nothing;
                 # in bytes, so a Chinese proverb of 8 characters stays


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def order_key(doc):
    return hashlib.sha256(b"order\0" + doc.encode("utf-8")).digest()


def is_valid(doc):
    return int.from_bytes(hashlib.sha256(b"valid\0" + doc.encode("utf-8")).digest()[:8], "big") % VALID_MODULUS == 0


def extract(work):
    """Every source's documents, deduplicated (first occurrence kept), in a fixed order that mixes
    the sources: sorted by a hash of the text, so a trainer that reads the file in order (or packs
    it into blocks without shuffling) sees dictionary, bible and Chinese text throughout."""
    docs, seen, stats = [], set(), {}
    for name, _, _, produce in SOURCES:
        s = stats[name] = {"entries": 0, "short": 0, "duplicates": 0}
        for doc in produce():
            s["entries"] += 1
            if len(doc.encode("utf-8")) < MIN_BYTES:
                s["short"] += 1
                continue
            if doc in seen:
                s["duplicates"] += 1
                continue
            seen.add(doc)
            docs.append((order_key(doc), doc, name))
    docs.sort()
    with open(os.path.join(work, "documents.txt"), "w", encoding="utf-8", newline="\n") as d, \
         open(os.path.join(work, "sources.txt"), "w", encoding="utf-8", newline="\n") as s:
        for _, doc, name in docs:
            d.write(doc + "\n")
            s.write(name + "\n")
    with open(os.path.join(work, "extract.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2, sort_keys=True)
    print(f"prepare_corpus.py: {len(docs)} documents from {len(SOURCES)} sources", file=sys.stderr)


def finish(work, out, overlap_json, packages_tsv):
    with open(os.path.join(work, "documents.txt"), encoding="utf-8") as f:
        docs = f.read().split("\n")[:-1]
    with open(os.path.join(work, "sources.txt"), encoding="utf-8") as f:
        sources = f.read().split("\n")[:-1]
    with open(os.path.join(work, "extract.json"), encoding="utf-8") as f:
        stats = json.load(f)
    with open(overlap_json, encoding="utf-8") as f:
        overlap = json.load(f)
    versions = {}
    with open(packages_tsv, encoding="utf-8") as f:
        for line in f:
            package, version = line.rstrip("\n").split("\t")
            versions[package] = version
    assert len(docs) == len(sources)

    # The example data was built afresh under WORK/against/<project>/ by each project's make-data.sh:
    # it is named here as the project's own data file, so the manifest holds no temporary paths.
    against_root = os.path.join(work, "against")

    def project_path(path):
        rel = os.path.relpath(path, against_root)
        if rel.startswith(".."):
            return path
        project, _, name = rel.partition(os.sep)
        return f"projects/{project}/data/{name}"

    # Every document that shares text with an example project's data is removed, whole.
    removed_lines = {}
    for pair in overlap["overlaps"]:
        removed_lines.setdefault(pair["corpus_line"], pair)
    removed_by_source, examples, pairs_by_file = {}, {}, {}
    for line, pair in sorted(removed_lines.items()):
        src = sources[line - 1]
        removed_by_source[src] = removed_by_source.get(src, 0) + 1
        examples.setdefault(src, [])
        if len(examples[src]) < 3:
            examples[src].append({"against": f"{project_path(pair['against_file'])}:{pair['against_line']}",
                                  "shared": pair["shared"][:160]})
    for pair in overlap["overlaps"]:
        name = project_path(pair["against_file"])
        pairs_by_file[name] = pairs_by_file.get(name, 0) + 1
    against = [{"file": project_path(a["file"]), "texts": a["texts"], "sha256": sha256_file(a["file"])}
               for a in overlap["against"]]

    train_path, valid_path = os.path.join(out, "train.txt"), os.path.join(out, "valid.txt")
    per_source = {name: {"documents": 0, "bytes": 0, "valid_documents": 0} for name, *_ in SOURCES}
    with open(train_path, "w", encoding="utf-8", newline="\n") as train, \
         open(valid_path, "w", encoding="utf-8", newline="\n") as valid:
        for i, (doc, src) in enumerate(zip(docs, sources), start=1):
            if i in removed_lines:
                continue
            n = len(doc.encode("utf-8")) + 1
            p = per_source[src]
            p["documents"] += 1
            p["bytes"] += n
            if is_valid(doc):
                p["valid_documents"] += 1
                valid.write(doc + "\n")
            else:
                train.write(doc + "\n")

    files = {}
    for path in (train_path, valid_path):
        with open(path, "rb") as f:
            content = f.read()
        files[os.path.basename(path)] = {"documents": content.count(b"\n"), "bytes": len(content),
                                         "characters": len(content.decode("utf-8")), "sha256": sha256_file(path)}
    # One fingerprint for the whole corpus: both files, in order, with their names.
    fp = hashlib.sha256()
    for name in ("train.txt", "valid.txt"):
        fp.update(f"{name}\0{files[name]['sha256']}\0".encode())

    manifest = {
        "corpus": "Fine-tuning Studio pretraining corpus",
        "format": "UTF-8 text, one document per line, whitespace collapsed, no empty lines",
        "fingerprint": "sha256:" + fp.hexdigest(),
        "files": files,
        "validation": f"documents whose sha256('valid\\0' + text) is 0 modulo {VALID_MODULUS} (about 1%)",
        "order": "documents sorted by sha256('order\\0' + text): the sources are interleaved",
        "sources": [],
        "decontamination": {
            "command": "ftstudio data overlap --corpus <all documents> --against <example data> --json",
            "check": overlap["check"],
            "against": against,
            "against_packages": {pkg: versions.get(pkg, "") for pkg in ("fortunes", "fortunes-min", "fortunes-zh")},
            "documents_checked": overlap["texts_checked"],
            "documents_removed": len(removed_lines),
            "overlapping_pairs": len(overlap["overlaps"]),
            "removed_by_source": {k: removed_by_source[k] for k in sorted(removed_by_source)},
            "pairs_by_against_file": {k: pairs_by_file[k] for k in sorted(pairs_by_file)},
            "examples": {k: examples[k] for k in sorted(examples)},
        },
    }
    for name, package, path, _ in SOURCES:
        s, p = stats[name], per_source[name]
        packages = [package] + (["bible-kjv"] if package == "bible-kjv-text" else [])
        manifest["sources"].append({
            "name": name,
            "packages": {pkg: versions.get(pkg, "") for pkg in packages},
            "file": path,
            "entries_read": s["entries"],
            "dropped_short": s["short"],
            "dropped_duplicates": s["duplicates"],
            "removed_by_decontamination": removed_by_source.get(name, 0),
            "documents": p["documents"],
            "valid_documents": p["valid_documents"],
            "bytes": p["bytes"],
        })
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main(argv):
    if len(argv) >= 2 and argv[1] == "extract" and len(argv) == 3:
        extract(argv[2])
    elif len(argv) >= 2 and argv[1] == "finish" and len(argv) == 6:
        finish(*argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
