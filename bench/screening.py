"""Screening throughput and latency over the evaluation set, on one core.

    python bench/screening.py [--repeat N] [--chars 1000] [--mix] [--against REV] [--phases]

Runs Screener.check on every offer in tests/data/offers.jsonl, N times over, in one thread, and
prints checks per second with p50/p99 latency. Loading the indicator files is timed apart: it
happens once per process. Target (issue #13): >= 1,500 checks/s at --chars 1000 with the model.
`--against REV` times the screener of git revision REV (its bot/ and content/) too, each in a
process of its own, taking turns for `--rounds` rounds, and prints both side by side with the
best CPU rate of each: on a shared machine that ratio is the figure to trust.
The memory of the loaded model (Python allocations kept after Model.load, by tracemalloc, in
a load of its own) is printed too: the target is < 50 MB.
`--phases` splits the CPU time of a check into its stages (clause structure, words, pattern
candidates, concepts, indicator rules, the result with lawful programmes and the model), each
timed as the check runs it, stages taking turns pass by pass: where to look before changing
anything.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OFFERS = ROOT / "tests" / "data" / "offers.jsonl"
TARGET = 1500.0
MEMORY_TARGET_MB = 50.0


def model_memory_mb() -> float:
    """What the loaded second-opinion model keeps in memory (MB), measured on a load of its
    own: tracemalloc slows everything it watches, so it never runs around the timed checks."""
    from bot.screening.model import Model

    tracemalloc.start()
    try:
        model = Model.load()
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del model
    return kept / 1e6


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the set (default 20)")
    parser.add_argument(
        "--chars", type=int, default=0, help="repeat each offer up to this length (e.g. 1000)"
    )
    parser.add_argument(
        "--mix",
        action="store_true",
        help="with --chars: fill each text with the offers that follow it, not its own repeats",
    )
    parser.add_argument("--no-model", action="store_true", help="rules only")
    parser.add_argument("--phases", action="store_true", help="CPU time of each stage of a check")
    parser.add_argument("--against", metavar="REV", help="time the screener of REV too")
    parser.add_argument("--rounds", type=int, default=3, help="turns each with --against")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.against:
        return side_by_side(args, argv or sys.argv[1:])
    sys.path.insert(0, str(args.root))
    from bot.screening import Screener

    cases = [json.loads(line) for line in OFFERS.read_text(encoding="utf-8").splitlines() if line]
    if args.chars:
        # an offer repeated to the length (the figure), or, with --mix, followed by the
        # next offers: a text whose words and clauses do not recur, as a real long one
        originals = [c["text"] for c in cases]
        for i, c in enumerate(cases):
            text, j = c["text"], i
            while len(text) < args.chars:
                j += 1
                text += " " + (originals[j % len(originals)] if args.mix else c["text"])
            c["text"] = text[: args.chars]
    start = time.perf_counter()
    screener = Screener.load(use_model=not args.no_model)
    load_ms = (time.perf_counter() - start) * 1000

    for c in cases:  # warm-up: first-use costs are not what a running bot pays
        screener.check(c["text"], lang=c["lang"])

    if args.phases:
        return phases(screener, cases, args.repeat)

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
    memory = 0.0 if args.no_model else model_memory_mb()
    if args.json:
        print(
            json.dumps(
                {"wall": rate, "cpu": n / cpu, "p50": percentile(latencies, 50), "mb": memory}
            )
        )
        return 0
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
    if not args.no_model:
        verdict = "meets" if memory < MEMORY_TARGET_MB else "ABOVE"
        print(
            f"model memory: {memory:.1f} MB loaded (target < {MEMORY_TARGET_MB:.0f} MB: {verdict})"
        )
    return 0


def phases(screener: object, cases: list[dict[str, str]], repeat: int) -> int:
    """Print the CPU time of each stage of a check: every stage runs the ones before it as
    the check does, so a stage's own share is its time less the previous one's."""
    from bot.screening.text import _Text

    s: Any = screener

    def text(c: dict[str, str]) -> Any:
        return _Text(s, c["text"])

    def words(c: dict[str, str]) -> Any:
        t = text(c)
        t.words = s._analyser.words(t.raw, c["lang"])
        return t

    def anchors(c: dict[str, str]) -> Any:
        t = words(c)
        t.active()
        return t

    def concepts(c: dict[str, str]) -> Any:
        t = anchors(c)
        for _ in s._concepts.hits(t, t.words):
            pass
        return t

    stages = [
        ("clauses and sentences", text),
        ("words (tokens, lemmas)", words),
        ("pattern candidates", anchors),
        ("concepts", concepts),
        ("indicator rules", lambda c: s._find_flags(_Text(s, c["text"]), c["lang"])),
        ("result (lawful, model, ...)", lambda c: s.check(c["text"], lang=c["lang"])),
    ]
    spent = [0.0] * len(stages)
    for _ in range(repeat):  # stages take turns, pass by pass: the machine's drift hits all
        for i, (_, run) in enumerate(stages):
            start = time.process_time()
            for c in cases:
                run(c)
            spent[i] += time.process_time() - start
    n = repeat * len(cases)
    total = spent[-1] / n * 1e6
    print(f"offers: {len(cases)}  passes: {repeat}  CPU us per check, by stage")
    before = 0.0
    for (name, _), cpu in zip(stages, spent, strict=True):
        us = cpu / n * 1e6
        own = us - before
        print(f"  {name:<28} {own:>8,.0f} us  {own / total:>6.1%}")
        before = us
    print(f"  {'check':<28} {total:>8,.0f} us")
    return 0


def side_by_side(args: argparse.Namespace, argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    from scripts.screening_identity import checkout

    rest: list[str] = []
    skip = False
    for a in argv:  # the same options for both, without --against/--rounds
        if skip:
            skip = False
        elif a in ("--against", "--rounds"):
            skip = True
        elif not a.startswith(("--against=", "--rounds=")):
            rest.append(a)
    with tempfile.TemporaryDirectory() as tmp:
        checkout(args.against, Path(tmp))
        roots = {"now": ROOT, args.against: Path(tmp)}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in roots}
        for _ in range(args.rounds):
            for name, root in roots.items():
                out = subprocess.run(
                    [sys.executable, __file__, *rest, "--root", str(root), "--json"],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                runs[name].append(json.loads(out.strip().splitlines()[-1]))
    best = {name: max(r["cpu"] for r in rs) for name, rs in runs.items()}
    print(
        f"{'':>12} {'cpu checks/s (best)':>20} {'wall checks/s (best)':>21} {'p50 us':>8}"
        f" {'cpu checks/s per round':>24} {'model MB':>9}"
    )
    for name, rs in runs.items():
        wall = max(r["wall"] for r in rs)
        p50 = min(r["p50"] for r in rs) * 1e6
        each = " ".join(f"{r['cpu']:,.0f}" for r in rs)
        print(
            f"{name:>12} {best[name]:>20,.0f} {wall:>21,.0f} {p50:>8,.0f} {each:>24}"
            f" {rs[0].get('mb', 0.0):>9.1f}"
        )
    print(f"now / {args.against}: {best['now'] / best[args.against]:.2f}x (CPU rate)")
    verdict = "meets" if best["now"] >= TARGET else "BELOW"
    print(f"target {TARGET:,.0f} checks/s (CPU rate, now): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
