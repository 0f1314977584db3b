#!/usr/bin/env python3
"""Training speed: `ftstudio bench train` against ../shared/bench/ref_train.py (plain PyTorch) on
the same shapes and threads, interleaved, repeated, medians and ratios in one table. With --arch bert:
`ftstudio bench train --arch bert` against bench/train/ref_bert_train.py (the same BERT classifier in
plain PyTorch) at all-MiniLM-L6-v2's shape (issue 13's goal: 1.5x the best peer).

Peers: ref_train.py under Debian's PyTorch 1.13 (/usr/bin/python3, python3-torch), and under PyPI's
current torch in a virtual environment (.venv-bench), eager and with --compile. Shapes: the goals of
issue 5 (dim 256 LM and classification, dim 128 classification; bf16 against our own fp32).

usage: python3 bench/train/compare.py [--arch llama|bert] [--quick] [--reps N] [--steps N] [--omp-passive] [--setup] ...
       python3 bench/train/compare.py --from-json FILE   (the tables of an earlier --json-out run)
This script needs no torch itself (any Python 3.9+); it runs each program as a child process and
reads its peak resident memory from the kernel (wait4), so Python's own memory is not counted.
"""
import argparse
import json
import os
import platform
import re
import selectors
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# name, ref_train flags, goal (ours / best peer, or bf16 / our fp32), what the goal compares
SHAPES = {
    "lm256": (dict(dim=256, layers=4, heads=4, vocab=8000, seq=128, batch=16, task="lm"), 1.2, "peer"),
    "cls256": (dict(dim=256, layers=4, heads=4, vocab=8000, seq=128, batch=16, task="cls"), 1.2, "peer"),
    "cls128": (dict(dim=128, layers=2, heads=4, vocab=8000, seq=64, batch=8, task="cls"), 1.5, "peer"),
    "lm256-bf16": (dict(dim=256, layers=4, heads=4, vocab=8000, seq=128, batch=16, task="lm"), 1.4, "bf16"),
}
# --arch bert: MiniLM's shape (6 classes), full rows, and with rows padded as real batches are (lengths
# uniform in [32, 128]); same flags for ours and ref_bert_train.py.
MINILM = dict(dim=384, layers=6, heads=12, ffn=1536, vocab=30522, seq=128, batch=16, classes=6, task="cls")
BERT_SHAPES = {
    "minilm": (MINILM, 1.5, "peer"),
    "minilm-pad": (dict(MINILM, **{"min-len": 32}), 1.5, "peer"),
}
ARCH_DEFAULT_SHAPES = {"llama": ",".join(SHAPES), "bert": "minilm"}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ftstudio", default=os.path.join(ROOT, "build", "bin", "ftstudio"))
    p.add_argument("--arch", choices=("llama", "bert"), default="llama",
                   help="llama: ref_train.py's decoder shapes; bert: MiniLM's shape against ref_bert_train.py")
    p.add_argument("--ref", help="the peer script (default: ../shared/bench/ref_train.py, or bench/train/ref_bert_train.py with --arch bert)")
    p.add_argument("--debian-python", default="/usr/bin/python3", help="Python with Debian's python3-torch (1.13)")
    p.add_argument("--venv", help="virtual environment with PyPI's torch (default .venv-bench, else .venv-interop when only it exists)")
    p.add_argument("--setup", action="store_true", help="create --venv and pip install torch into it when missing")
    p.add_argument("--shapes", help="comma-separated among " + ",".join(SHAPES) + " (llama; default all) or "
                   + ",".join(BERT_SHAPES) + " (bert; default minilm)")
    p.add_argument("--reps", type=int, default=5, help="runs of each program per shape (interleaved)")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--no-compile", action="store_true", help="leave out the torch.compile peer")
    p.add_argument("--no-pypi", action="store_true", help="leave out both PyPI torch peers")
    p.add_argument("--bf16-peers", action="store_true", help="also run the peers with --bf16 in the bf16 shape")
    p.add_argument("--omp-passive", action="store_true",
                   help="OMP_WAIT_POLICY=PASSIVE for every program (fairer on a machine others load; slower when quiet)")
    p.add_argument("--quick", action="store_true", help="a short sanity run: 1 repetition of 3 steps after 1 warm-up")
    p.add_argument("--json-out", help="also write every run's figures to this JSON file")
    a = p.parse_args()
    if a.quick:
        a.reps, a.steps, a.warmup = 1, 3, 1
    if a.arch == "bert":
        SHAPES.clear()
        SHAPES.update(BERT_SHAPES)  # every table below reads SHAPES
    if a.ref is None:
        a.ref = (os.path.join(HERE, "ref_bert_train.py") if a.arch == "bert"
                 else os.path.join(os.path.dirname(ROOT), "shared", "bench", "ref_train.py"))
    if a.venv is None:
        a.venv = os.path.join(ROOT, ".venv-bench")
        interop = os.path.join(ROOT, ".venv-interop")
        if not os.path.exists(a.venv) and os.path.exists(interop) and not a.setup:
            a.venv = interop
    a.shapes = [s for s in (a.shapes or ARCH_DEFAULT_SHAPES[a.arch]).split(",") if s]
    for s in a.shapes:
        if s not in SHAPES:
            p.error(f"unknown shape '{s}' (choose among {', '.join(SHAPES)})")
    return a


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def run_measured(cmd, env):
    """Runs cmd; returns (stdout, stderr, exit code, peak RSS in MiB of that child alone, seconds).
    The child is reaped with os.wait4, whose rusage is that process's own (ru_maxrss, KiB)."""
    t0 = time.monotonic()
    r, w = os.pipe()
    re_, we = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.dup2(w, 1)
        os.dup2(we, 2)
        for fd in (r, w, re_, we):
            os.close(fd)
        try:
            os.execvpe(cmd[0], cmd, env)
        finally:
            os._exit(127)
    os.close(w)
    os.close(we)
    chunks, errs = [], []
    sel = selectors.DefaultSelector()
    sel.register(r, selectors.EVENT_READ, chunks)
    sel.register(re_, selectors.EVENT_READ, errs)
    open_fds = 2
    while open_fds:
        for key, _ in sel.select():
            data = os.read(key.fd, 65536)
            if not data:
                sel.unregister(key.fd)
                os.close(key.fd)
                open_fds -= 1
            else:
                key.data.append(data)
    _, status, ru = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return (b"".join(chunks).decode(errors="replace"), b"".join(errs).decode(errors="replace"), code,
            ru.ru_maxrss / 1024.0, time.monotonic() - t0)


# Runs ref_train.py with its `time` module seen through a proxy whose perf_counter also notes the
# process's CPU time (all threads), so one run gives both the wall time per step (what it prints) and
# the processor time per step (printed after it): the second is the work itself, which other
# programs' load disturbs much less when idle OpenMP threads sleep (OMP_WAIT_POLICY=PASSIVE).
REF_SHIM = r"""
import re, runpy, sys, time
ref = sys.argv[1]
sys.argv = sys.argv[1:]
ns = runpy.run_path(ref, run_name="ref_train")
marks = []
class TimeSeenByRef:
    def __getattr__(self, name):
        return getattr(time, name)
    def perf_counter(self):
        marks.append(time.process_time())
        return time.perf_counter()
ns["main"].__globals__["time"] = TimeSeenByRef()
ns["main"]()
steps = int(next((m.group(1) for m in map(re.compile(r"--steps=(\d+)").fullmatch, sys.argv) if m), "20"))
if len(marks) >= 2:
    print(f"cpu_ms_per_step={(marks[-1] - marks[-2]) / steps * 1e3:.1f}")
"""


def flags_of(shape, a, bf16):
    f = [f"--{k}={v}" for k, v in shape.items()]
    f += [f"--steps={a.steps}", f"--warmup={a.warmup}", f"--threads={a.threads}"]
    if bf16:
        f.append("--bf16")
    return f


def runners_for(name, a, pypi_python):
    """(label, command builder) of each program measured in this shape; the first is ours."""
    shape, _, kind = SHAPES[name]
    bf16 = kind == "bf16"
    out = []
    ours = [a.ftstudio, "bench", "train"] + (["--arch=bert"] if a.arch == "bert" else [])
    if bf16:
        out.append(("ours fp32", [*ours, *flags_of(shape, a, False), "--json"]))
    out.append((f"ours{' bf16' if bf16 else ''}", [*ours, *flags_of(shape, a, bf16), "--json"]))
    peers_bf16 = bf16 and a.bf16_peers
    if not bf16 or peers_bf16:
        suffix = " bf16" if bf16 else ""
        out.append((f"PyTorch 1.13 eager{suffix}", [a.debian_python, "-c", REF_SHIM, a.ref, *flags_of(shape, a, bf16)]))
        if pypi_python:
            out.append((f"PyTorch {pypi_python[1]} eager{suffix}", [pypi_python[0], "-c", REF_SHIM, a.ref, *flags_of(shape, a, bf16)]))
            if not a.no_compile:
                out.append((f"PyTorch {pypi_python[1]} compile{suffix}",
                            [pypi_python[0], "-c", REF_SHIM, a.ref, *flags_of(shape, a, bf16), "--compile"]))
    return out


def parse_output(stdout):
    """(tokens_per_s, cpu_ms_per_step or None, our JSON object or None) from a program's output."""
    tokens = cpu = extra = None
    for line in stdout.strip().splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                extra = json.loads(line)
                tokens, cpu = float(extra["tokens_per_s"]), extra.get("cpu_ms_per_step")
            except (ValueError, KeyError):
                pass
        m = re.search(r"tokens_per_s=([0-9.]+)", line)
        if m:
            tokens = float(m.group(1))
        m = re.search(r"cpu_ms_per_step=([0-9.]+)", line)
        if m:
            cpu = float(m.group(1))
    if tokens is None:
        raise ValueError("no tokens_per_s in the output")
    return tokens, cpu, extra


def torch_version(python):
    try:
        out = subprocess.run([python, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True,
                             timeout=300)
        return out.stdout.strip() if out.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def setup_venv(a):
    py = os.path.join(a.venv, "bin", "python")
    if not os.path.exists(py):
        print(f"creating {a.venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", a.venv], check=True)
    if torch_version(py) is None:
        print("pip install torch (CPU wheel if its index is reachable, else PyPI's default build)", flush=True)
        r = subprocess.run([py, "-m", "pip", "install", "-q", "torch", "--index-url", "https://download.pytorch.org/whl/cpu"])
        if r.returncode != 0:
            subprocess.run([py, "-m", "pip", "install", "-q", "torch"], check=True)


def fmt_range(values, fmt="{:.0f}"):
    return fmt.format(statistics.median(values)) + " (" + fmt.format(min(values)) + "-" + fmt.format(max(values)) + ")"


def main():
    a = parse_args()
    for path, what in ((a.ftstudio, "ftstudio (build it: cmake --build build --target ftstudio)"), (a.ref, "the peer script")):
        if not os.path.exists(path):
            sys.exit(f"error: {path} does not exist: {what}")
    v113 = torch_version(a.debian_python)
    if v113 is None:
        sys.exit(f"error: {a.debian_python} cannot import torch: install Debian's python3-torch (apt-get install python3-torch)")
    pypi = None
    if not a.no_pypi:
        if a.setup:
            setup_venv(a)
        py = os.path.join(a.venv, "bin", "python")
        v2 = torch_version(py) if os.path.exists(py) else None
        if v2 is None:
            sys.exit(f"error: no torch in {a.venv}: run with --setup (creates it and pip installs torch), or --no-pypi")
        pypi = (py, v2.split("+")[0])

    env = dict(os.environ)
    if a.omp_passive:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    print(f"machine: {cpu}, {os.cpu_count()} cores; threads {a.threads}; {a.reps} reps x ({a.warmup} warm-up + {a.steps} timed steps);"
          f" OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY', 'unset (spin, then sleep)')}")
    print(f"peers: PyTorch {v113} ({a.debian_python})" + (f", PyTorch {pypi[1]} ({pypi[0]})" if pypi else ""))
    print(f"load average at start: {open('/proc/loadavg').read().strip()}", flush=True)

    print(f"arch: {a.arch}; peer script: {a.ref}", flush=True)
    record = {"arch": a.arch, "machine": cpu, "threads": a.threads, "reps": a.reps, "steps": a.steps, "warmup": a.warmup,
              "omp_wait_policy": env.get("OMP_WAIT_POLICY"), "shapes": {}}
    summary = []
    for name in a.shapes:
        shape, goal, kind = SHAPES[name]
        runners = runners_for(name, a, pypi)
        runs = {label: [] for label, _ in runners}
        desc = " ".join(f"--{k} {v}" for k, v in shape.items()) + (" --bf16" if kind == "bf16" else "")
        print(f"\n== {name}: {desc}", flush=True)
        for rep in range(a.reps):
            k = rep % len(runners)
            order = runners[k:] + runners[:k]  # rotate so no program always runs right after another
            for label, cmd in order:
                load = loadavg()
                out, err, code, rss, secs = run_measured(cmd, env)
                try:
                    if code == 77:  # the peer cannot run here (torch.compile under PyTorch 1.x): it says why
                        print(f"  skipped {label}: {err.strip()[-300:]}", flush=True)
                        continue
                    if code != 0:
                        raise ValueError(f"exit code {code}")
                    tps, cpu, extra = parse_output(out)
                except ValueError as e:
                    print(f"  FAILED {label}: {e}\n  command: {shlex.join(cmd)}\n  {err.strip()[-2000:]}", flush=True)
                    continue
                tokens = shape["batch"] * shape["seq"]
                cpu_tps = tokens / (cpu / 1e3) if cpu else None
                runs[label].append({"tokens_per_s": tps, "tokens_per_cpu_s": cpu_tps, "peak_rss_mb": rss, "load1": load,
                                    "seconds": secs, "mfu": extra.get("mfu") if extra else None,
                                    "flops_per_token": extra["flops_per_step"] / tokens if extra else None})
                mfu = f" mfu {extra['mfu']:.2f}" if extra else ""
                cpu_text = f" ({cpu_tps:7.0f} per CPU-s)" if cpu_tps else ""
                print(f"  rep {rep + 1} {label:28s} {tps:9.0f} tokens/s{cpu_text}  peak RSS {rss:6.0f} MiB{mfu}  load {load:.2f}",
                      flush=True)
        record["shapes"][name] = {"flags": shape, "runs": runs}

        summary.append(summarize_shape(name, runs))
        record["shapes"][name]["summary"] = summary[-1]

    print_goals(summary)
    print(f"load average at end: {open('/proc/loadavg').read().strip()}")
    print_markdown(record, summary)
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(record, f, indent=1)


def summarize_shape(name, runs):
    """Prints one shape's table; returns its figures (per program) and the goal's ratio."""
    _, goal, kind = SHAPES[name]
    labels = list(runs)
    ours_label = "ours bf16" if kind == "bf16" else "ours"
    out = {"name": name, "goal": goal, "kind": kind, "programs": [], "ratio": None, "what": "ours failed"}
    ours = [r["tokens_per_s"] for r in runs.get(ours_label, [])]
    if not ours:
        return out
    med_ours = statistics.median(ours)
    ours_cpu = [r["tokens_per_cpu_s"] for r in runs[ours_label] if r.get("tokens_per_cpu_s")]
    flops = next((r["flops_per_token"] for r in runs[ours_label] if r.get("flops_per_token")), None)
    print(f"\n  {'program':28s} {'tokens/s median (min-max)':>26s} {'ours/it':>7s} {'paired':>6s} {'GFLOP/s':>7s}"
          f" {'tok/CPU-s':>9s} {'ours/it':>7s} {'RSS MiB':>7s} {'load1 med (min-max)':>20s}")
    best = None
    for label in labels:
        rs = runs[label]
        if not rs:
            print(f"  {label:28s} {'failed':>26s}")
            continue
        tps = [r["tokens_per_s"] for r in rs]
        med = statistics.median(tps)
        mine = label == ours_label
        # Paired: the ratio within each repetition (same load), then the median of those.
        pairs = [o["tokens_per_s"] / p["tokens_per_s"] for o, p in zip(runs[ours_label], rs)]
        cpus = [r["tokens_per_cpu_s"] for r in rs if r.get("tokens_per_cpu_s")]
        loads = [r["load1"] for r in rs]
        mfus = [r["mfu"] for r in rs if r.get("mfu") is not None]
        row = {"program": label, "tokens_per_s": med, "min": min(tps), "max": max(tps), "n": len(tps),
               "ratio": None if mine else med_ours / med, "paired": None if mine or not pairs else statistics.median(pairs),
               "gflops": med * flops / 1e9 if flops else None, "tokens_per_cpu_s": statistics.median(cpus) if cpus else None,
               "cpu_ratio": statistics.median(ours_cpu) / statistics.median(cpus) if cpus and ours_cpu and not mine else None,
               "peak_rss_mb": statistics.median([r["peak_rss_mb"] for r in rs]), "load_med": statistics.median(loads),
               "load_min": min(loads), "load_max": max(loads), "mfu": statistics.median(mfus) if mfus else None}
        out["programs"].append(row)
        f = lambda v, spec, width: format(v, spec) if v is not None else " " * width
        print(f"  {label:28s} {fmt_range(tps):>26s} {f(row['ratio'], '7.2f', 7)} {f(row['paired'], '6.2f', 6)}"
              f" {f(row['gflops'], '7.1f', 7)} {f(row['tokens_per_cpu_s'], '9.0f', 9)} {f(row['cpu_ratio'], '7.2f', 7)}"
              f" {row['peak_rss_mb']:7.0f} {row['load_med']:8.2f} ({row['load_min']:.2f}-{row['load_max']:.2f})")
        if not label.startswith("ours") and (best is None or med > best[1]):
            best = (label, med)
    mine = next(r for r in out["programs"] if r["program"] == ours_label)
    if mine["mfu"] is not None and flops:
        print(f"  ours: model FLOPs utilization {mine['mfu']:.2f} of the matrix product measured in the same run"
              f" (GFLOP/s column: {flops / 1e6:.1f} MFLOP per token, 6 x matmul params + attention, for every program)")
    if kind == "bf16":
        fp32 = [r["tokens_per_s"] for r in runs.get("ours fp32", [])]
        if fp32:
            out["ratio"], out["what"] = med_ours / statistics.median(fp32), "bf16 / our fp32"
    elif best:
        out["ratio"], out["what"] = med_ours / best[1], f"ours / best peer ({best[0]})"
    if out["ratio"] is not None:
        print(f"  {out['what']} = {out['ratio']:.2f} (goal {goal})")
    return out


def print_goals(summary):
    print("\n== goals")
    for s in summary:
        if s["ratio"] is None:
            print(f"  {s['name']:12s} {s['what']}")
        else:
            print(f"  {s['name']:12s} {s['what']}: {s['ratio']:.2f}, goal >= {s['goal']}: "
                  f"{'met' if s['ratio'] >= s['goal'] else 'MISSED'}")


def print_markdown(record, summary):
    """The same figures as one Markdown table, for docs/BENCHMARKS.md."""
    print("\n== Markdown (docs/BENCHMARKS.md)\n")
    print(f"{record['reps']} runs of each program per shape ({record['warmup']} warm-up + {record['steps']} timed steps), "
          f"interleaved; {record['threads']} threads; OMP_WAIT_POLICY={record.get('omp_wait_policy') or 'unset'}.\n")
    print("| shape | program | tokens/s, median (min-max) | ours / it | tokens per CPU-second | ours / it (CPU) | model GFLOP/s | MFU | peak RSS MiB | load avg (1 min) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for s in summary:
        for r in s["programs"]:
            v = lambda x, spec: format(x, spec) if x is not None else ""
            print(f"| {s['name']} | {r['program']} | {r['tokens_per_s']:.0f} ({r['min']:.0f}-{r['max']:.0f}) | {v(r['ratio'], '.2f')} |"
                  f" {v(r['tokens_per_cpu_s'], '.0f')} | {v(r['cpu_ratio'], '.2f')} | {v(r['gflops'], '.1f')} | {v(r['mfu'], '.2f')} |"
                  f" {r['peak_rss_mb']:.0f} | {r['load_med']:.1f} ({r['load_min']:.1f}-{r['load_max']:.1f}) |")
    print("\n| goal | measured | goal | |\n| --- | --- | --- | --- |")
    for s in summary:
        if s["ratio"] is not None:
            print(f"| {s['name']}: {s['what']} | {s['ratio']:.2f} | >= {s['goal']} | {'met' if s['ratio'] >= s['goal'] else 'missed'} |")


def from_json(path):
    with open(path) as f:
        record = json.load(f)
    print(f"machine: {record['machine']}; from {path}")
    if record.get("arch") == "bert":
        SHAPES.clear()
        SHAPES.update(BERT_SHAPES)
    summary = []
    for name, shape in record["shapes"].items():
        print(f"\n== {name}: " + " ".join(f"--{k} {v}" for k, v in shape["flags"].items()))
        summary.append(summarize_shape(name, shape["runs"]))
    print_goals(summary)
    print_markdown(record, summary)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--from-json":
        from_json(sys.argv[2])  # re-print the tables of an earlier --json-out without running anything
    else:
        main()
