#!/usr/bin/env python3
"""nlpaug's versions of our operations on the sentences bench_augment wrote (--write DIR), one
thread, samples per second; with --ours FILE (bench_augment's output) it prints our rate / theirs.

  nlpaug_bench.py DIR [--ours bench_augment.txt] [--wordnet /usr/share/wordnet] [--stride N] [--passes 3]

WordNet: nlpaug's SynonymAug reads WordNet through NLTK. NLTK's reader is pointed at Debian's
wordnet-base files (a folder of copies plus the 'lexnames' list NLTK needs, which Debian does not
ship). nlpaug also tags parts of speech with NLTK's perceptron tagger, whose model is not on this
machine (it is an nltk.download, not a PyPI package): the tagger is replaced by one that tags
nothing, so nlpaug looks words up in every part of speech, as we do. That leaves the tagger's cost
out of nlpaug's figure (in its favour).

What nlpaug has no counterpart for: random insertion of a synonym (EDA's ri) and AEDA's
punctuation insertion. Chinese: nlpaug splits on spaces, so it is given a character tokenizer
(we work on ICU's words): the figures compare the same operations at character level for nlpaug.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
import time

# WordNet 3.0's lexicographer files, in order (lexnames: number, name, syntactic category).
LEXNAMES = """adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body
noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location noun.motive
noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process noun.quantity noun.relation
noun.shape noun.state noun.substance noun.time verb.body verb.change verb.cognition verb.communication
verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion verb.perception
verb.possession verb.social verb.stative verb.weather adj.ppl""".split()
CATEGORY = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}


def nltk_wordnet_folder(debian):
    """A folder NLTK's WordNetCorpusReader can read: copies of Debian's files (NLTK refuses links
    that lead outside its data folder) plus lexnames."""
    root = tempfile.mkdtemp(prefix="fts-nltk-")
    corpus = os.path.join(root, "corpora", "wordnet")
    os.makedirs(corpus)
    for name in os.listdir(debian):
        src = os.path.join(debian, name)
        if os.path.isfile(src):
            shutil.copyfile(src, os.path.join(corpus, name))
    with open(os.path.join(corpus, "lexnames"), "w") as f:
        for i, name in enumerate(LEXNAMES):
            f.write("%02d\t%s\t%d\n" % (i, name, CATEGORY[name.split(".")[0]]))
    return root


PASSES = 3


def measure(label, aug, texts):
    """The best of PASSES timed passes (as bench_augment: the least disturbed on a shared machine)."""
    s, first = float("inf"), None
    for _ in range(PASSES):
        t0 = time.perf_counter()
        changed = 0
        for t in texts:
            out = aug.augment(t)
            out = out[0] if isinstance(out, list) and out else out
            changed += out != t
        took = time.perf_counter() - t0
        first = took if first is None else first
        s = min(s, took)
    rate = len(texts) / s
    print("%-10s %8d samples %8.3f s %10.0f samples/s  (%.1f%% changed; first pass %.0f/s)" % (label, len(texts), s, rate, 100.0 * changed / len(texts), len(texts) / first))
    sys.stdout.flush()
    return rate


def read_ours(path):
    ours = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"(en|zh)\s+(\w+)\s+rate\s+\S+\s+\d+ samples\s+\S+ s\s+(\d+) samples/s", line)
        if m:
            ours[(m.group(1), m.group(2))] = float(m.group(3))
    return ours


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--ours")
    ap.add_argument("--wordnet", default="/usr/share/wordnet")
    ap.add_argument("--english", type=int, default=0, help="use only the first N English sentences (0: all)")
    ap.add_argument("--chinese", type=int, default=0)
    ap.add_argument("--stride", type=int, default=1, help="every STRIDE-th sentence (a smaller sample of the same mix)")
    ap.add_argument("--passes", type=int, default=3)
    a = ap.parse_args()
    global PASSES
    PASSES = max(1, a.passes)

    os.environ["NLTK_DATA"] = nltk_wordnet_folder(a.wordnet)
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader
    nltk.data.path.insert(0, os.environ["NLTK_DATA"])
    # The map to other WordNet versions (for the multilingual OMW data) needs files NLTK's own
    # download adds; Debian's English WordNet 3.0 needs no map.
    WordNetCorpusReader.map_wn = lambda self, version="wordnet": None
    import nlpaug
    import nlpaug.augmenter.char as nac
    import nlpaug.augmenter.word as naw
    from nlpaug.model.word_dict.wordnet import WordNet
    WordNet.pos_tag = classmethod(lambda cls, tokens: [(t, "") for t in tokens])  # no tagger model here

    english = open(os.path.join(a.dir, "english.txt"), encoding="utf-8").read().splitlines()
    chinese = open(os.path.join(a.dir, "chinese.txt"), encoding="utf-8").read().splitlines()
    if a.english:
        english = english[: a.english]
    if a.chinese:
        chinese = chinese[: a.chinese]
    english, chinese = english[:: a.stride], chinese[:: a.stride]
    print("nlpaug %s, %d English sentences, %d Chinese, one thread, best of %d passes" % (nlpaug.__version__, len(english), len(chinese), PASSES))

    # EDA's alpha 0.1 as nlpaug's aug_p, at least one word, as ours.
    theirs = {}
    theirs[("en", "sr")] = measure("en sr", naw.SynonymAug(aug_src="wordnet", aug_p=0.1, aug_min=1), english)
    theirs[("en", "rs")] = measure("en rs", naw.RandomWordAug(action="swap", aug_p=0.1, aug_min=1), english)
    theirs[("en", "rd")] = measure("en rd", naw.RandomWordAug(action="delete", aug_p=0.1, aug_min=1), english)
    theirs[("en", "char")] = measure("en char", nac.KeyboardAug(aug_word_p=0.1, aug_word_min=1, aug_char_max=1, include_numeric=False, include_special_char=False), english)
    theirs[("en", "char/r")] = measure("en char/r", nac.RandomCharAug(action="swap", aug_word_p=0.1, aug_word_min=1, aug_char_max=1), english)
    chars = dict(tokenizer=list, reverse_tokenizer="".join)
    theirs[("zh", "rs")] = measure("zh rs", naw.RandomWordAug(action="swap", aug_p=0.1, aug_min=1, **chars), chinese)
    theirs[("zh", "rd")] = measure("zh rd", naw.RandomWordAug(action="delete", aug_p=0.1, aug_min=1, **chars), chinese)
    theirs[("zh", "char")] = measure("zh char", nac.RandomCharAug(action="delete", aug_word_p=0.1, aug_word_min=1, aug_char_max=1, tokenizer=list, reverse_tokenizer="".join), chinese)
    print("not in nlpaug: ri (synonym insertion), aeda (punctuation insertion)")

    if a.ours:
        ours = read_ours(a.ours)
        print("\nours / nlpaug (samples/s ratio, one thread each):")
        for (lang, op), rate in theirs.items():
            mine = ours.get((lang, op.split("/")[0]))
            if mine:
                print("  %s %-7s %10.0f / %8.0f = %6.1fx" % (lang, op, mine, rate, mine / rate))


if __name__ == "__main__":
    main()
