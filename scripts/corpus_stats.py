"""Print counts of the screening corpus of real cases (tests/data/screening/cases_*.jsonl).

Usage: python scripts/corpus_stats.py [FILE ...]

Counts by label, kind, language and split, the number of sources and the share of sources in the
blind split: the figures tests/data/screening/README.md quotes.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "screening"


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def table(title: str, counts: Counter, total: int) -> str:
    rows = [f"{title}:"]
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        rows.append(f"  {key!s:<26} {n:>4}  {n / total:6.1%}")
    return "\n".join(rows)


def report(cases: list[dict], name: str) -> str:
    total = len(cases)
    sources = {c["source"]: c["split"] for c in cases}
    blind_sources = sum(1 for s in sources.values() if s == "blind")
    flags = Counter(f for c in cases for f in c["flags"])
    parts = [
        f"== {name}: {total} cases, {len(sources)} sources "
        f"({blind_sources} blind, {blind_sources / max(len(sources), 1):.0%})",
        table("label", Counter(c["label"] for c in cases), total),
        table("kind", Counter(c["kind"] for c in cases), total),
        table("lang", Counter(c["lang"] for c in cases), total),
        table("split", Counter(c["split"] for c in cases), total),
        table(
            "label x split",
            Counter(f"{c['label']}/{c['split']}" for c in cases),
            total,
        ),
        table("flag (cases carrying it)", flags, total),
    ]
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(CORPUS_DIR.glob("cases_*.jsonl"))
    everything: list[dict] = []
    for path in paths:
        cases = load(path)
        everything.extend(cases)
        print(report(cases, path.name))
        print()
    if len(paths) > 1:
        print(report(everything, "all files"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
