"""Blind figures of the understanding step, by the batch the lines were written in.

    python scripts/understanding_blind.py [--rules-only]

Prints only totals (accuracy, danger recall, false danger) for the blind lines of each batch
of ids and for all of them: never a line, so the figures can be reported without tuning on
them. The batches are where the labelled set grew (tests/data/understanding/README.md).
`--rules-only` leaves the second opinion (bot/understanding/model.py) out: the rules alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.understanding import Understander  # noqa: E402
from bot.understanding.evaluation import load, score  # noqa: E402

FILE = ROOT / "tests" / "data" / "understanding" / "messages.jsonl"
# (first id, last id, name): the original lines, then each batch added after
BATCHES = [
    (1, 878, "u-0001..u-0878 (original)"),
    (879, 968, "u-0879..u-0968"),
    (969, 1151, "u-0969..u-1151"),
    (1152, 1266, "u-1152..u-1266"),
    (1267, 1357, "u-1267..u-1357"),
    (1358, 1435, "u-1358..u-1435"),
    (1436, 1491, "u-1436..u-1491"),
    (1492, 1531, "u-1492..u-1531"),
    (1532, 1566, "u-1532..u-1566"),
    (1567, 1591, "u-1567..u-1591"),
    (1592, 1686, "u-1592..u-1686 (indirect danger and its lookalikes)"),
    (1687, 9999, "u-1687.. (forum and group posts, weighted to danger and its lookalikes)"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules-only", action="store_true", help="without the model")
    args = parser.parse_args(argv)
    understander = Understander(model=not args.rules_only)

    def predict(text: str, lang: str | None) -> str:
        return understander.understand(text, lang).intent.value

    rows = [r for r in load([FILE]) if r["split"] == "blind"]
    for first, last, name in BATCHES:
        part = [r for r in rows if first <= int(r["id"][2:]) <= last]
        if part:
            print(f"blind {name}: {score(part, predict).line()}")
    print(f"blind all: {score(rows, predict).line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
