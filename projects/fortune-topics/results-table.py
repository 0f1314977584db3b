#!/usr/bin/python3
"""Turns the JSON lines of results.sh into the Markdown tables of docs/RESULTS.md: per variant and
method, test accuracy and macro-F1 as mean and (sample) standard deviation over the seeds, with the
number of runs, the mean time per run and the command of one seed. Standard library only."""
import json
import statistics
import sys

ORDER = ["majority", "bow", "scratch", "full", "lora", "frozen", "adapted", "minilm", "minilm-lora"]
NAMES = {
    "majority": "majority class",
    "bow": "bag of words (naive Bayes)",
    "scratch": "same model, from scratch",
    "full": "base model, full fine-tuning",
    "lora": "base model, LoRA (rank 8)",
    "frozen": "base model, lower 2 layers + embeddings frozen",
    "adapted": "base model adapted to the domain first (fortune-domain), full fine-tuning",
    "minilm": "all-MiniLM-L6-v2 (BERT, 22.7M, `make models`), full fine-tuning, mean pooling",
    "minilm-lora": "all-MiniLM-L6-v2, LoRA (rank 8) on query/key/value/attention output/intermediate/output",
}


def fmt(values):
    if not values:
        return "n/a"
    mean = statistics.mean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{100 * mean:.1f} ± {100 * sd:.1f}"


def main(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    for variant, title in (("low", "Low data (about 500 training samples)"), ("full", "Full data (2,537 training samples)")):
        runs = [r for r in rows if r["variant"] == variant]
        if not runs:
            continue
        print(f"### {title}\n")
        print("| method | test accuracy % | test macro-F1 % | runs | s/run | command (seed 1) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for method in ORDER:
            mine = [r for r in runs if r["method"] == method and r["result"].get("status") == "finished"]
            failed = [r for r in runs if r["method"] == method and r["result"].get("status") != "finished"]
            if not mine and not failed:
                continue
            acc = [r["result"]["metrics"]["test_accuracy"] for r in mine]
            f1 = [r["result"]["metrics"]["test_macro_f1"] for r in mine]
            secs = statistics.mean(r["seconds"] for r in mine) if mine else 0
            cmd = next((r["command"] for r in sorted(mine + failed, key=lambda r: r["seed"])), "")
            note = f" ({len(failed)} failed)" if failed else ""
            print(f"| {NAMES[method]} | {fmt(acc)} | {fmt(f1)} | {len(mine)}{note} | {secs:.0f} | `{cmd}` |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/results/fortune-topics.jsonl")
