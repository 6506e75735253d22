"""Screening throughput and latency over the evaluation set, on one core.

    python bench/screening.py [--repeat N]

Runs Screener.check on every offer in tests/data/offers.jsonl, N times over, in one thread, and
prints checks per second with p50/p99 latency. Loading the indicator files is timed apart: it
happens once per process. Target (issue #13): >= 1,500 checks/s at --chars 1000 with the model.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.screening import Screener

OFFERS = Path(__file__).resolve().parent.parent / "tests" / "data" / "offers.jsonl"
TARGET = 1500.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the set (default 20)")
    parser.add_argument(
        "--chars", type=int, default=0, help="repeat each offer up to this length (e.g. 1000)"
    )
    parser.add_argument("--no-model", action="store_true", help="rules only")
    args = parser.parse_args(argv)

    cases = [json.loads(line) for line in OFFERS.read_text(encoding="utf-8").splitlines() if line]
    if args.chars:
        for c in cases:
            text = c["text"]
            while len(text) < args.chars:
                text += " " + c["text"]
            c["text"] = text[: args.chars]
    start = time.perf_counter()
    screener = Screener.load(use_model=not args.no_model)
    load_ms = (time.perf_counter() - start) * 1000

    for c in cases:  # warm-up: first-use costs are not what a running bot pays
        screener.check(c["text"], lang=c["lang"])

    latencies: list[float] = []
    clock = time.perf_counter
    # CPU time as well as wall time: on a shared machine the wall clock counts other
    # processes' work, the CPU clock only this one's
    cpu_start = time.process_time()
    total_start = clock()
    for _ in range(args.repeat):
        for c in cases:
            t0 = clock()
            screener.check(c["text"], lang=c["lang"])
            latencies.append(clock() - t0)
    total = clock() - total_start
    cpu = time.process_time() - cpu_start

    n = len(latencies)
    rate = n / total
    print(f"offers: {len(cases)}  passes: {args.repeat}  checks: {n}")
    print(f"load: {load_ms:.0f} ms (once per process)")
    print(f"throughput: {rate:,.0f} checks/s (one core)")
    print(f"cpu: {n / cpu:,.0f} checks per CPU second")
    print(
        f"latency: p50 {percentile(latencies, 50) * 1e6:,.0f} us  "
        f"p99 {percentile(latencies, 99) * 1e6:,.0f} us  "
        f"mean {statistics.fmean(latencies) * 1e6:,.0f} us  "
        f"max {max(latencies) * 1e6:,.0f} us"
    )
    verdict = "meets" if rate >= TARGET else "BELOW"
    print(f"target {TARGET:,.0f} checks/s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
