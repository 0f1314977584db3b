#!/usr/bin/env python3
"""Self time per operator from a Chrome trace written by `ftstudio bench train --profile FILE`
(LibTorch's legacy profiler), to see where a training step's time goes.

usage: python3 bench/train/profile_summary.py TRACE [--steps N] [--top 30]
Self time: an event's duration less that of the events nested in it on the same thread, so a
product called from inside a custom autograd function counts once, under the product.
"""
import argparse
import collections
import json


def main():
    p = argparse.ArgumentParser()
    p.add_argument("trace")
    p.add_argument("--steps", type=int, default=1, help="divide times by this (the timed steps in the trace)")
    p.add_argument("--top", type=int, default=30)
    a = p.parse_args()
    with open(a.trace) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            by_thread[e.get("tid")].append(e)
    self_us = collections.Counter()
    total_us = collections.Counter()
    calls = collections.Counter()
    for evs in by_thread.values():
        evs.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []  # (end, name, children time)
        def close(until):
            while stack and stack[-1][0] <= until:
                end, name, child, dur = stack.pop()
                self_us[name] += dur - child
                if stack:
                    stack[-1][2] += dur
        for e in evs:
            ts, dur = float(e["ts"]), float(e["dur"])
            close(ts)
            stack.append([ts + dur, e["name"], 0.0, dur])
            total_us[e["name"]] += dur
            calls[e["name"]] += 1
        close(float("inf"))
    all_self = sum(self_us.values())
    print(f"{'self ms/step':>12s} {'share':>6s} {'incl ms/step':>12s} {'calls/step':>10s}  operator")
    for name, us in self_us.most_common(a.top):
        print(f"{us / 1e3 / a.steps:12.2f} {us / all_self:6.1%} {total_us[name] / 1e3 / a.steps:12.2f} "
              f"{calls[name] / a.steps:10.1f}  {name}")
    print(f"{all_self / 1e3 / a.steps:12.2f} total self time per step (all threads that recorded events)")


if __name__ == "__main__":
    main()
