"""Figures of the offer check on the labelled corpus, per split and language.

    python scripts/screening_figures.py [--no-model] [--dev-misses] [FILE.jsonl ...]

Without files, reads tests/data/screening/cases_*.jsonl. `--dev-misses` also lists the DEV cases
the check gets wrong (a high case below high, a legitimate case above low), with the flags it
raised, to write rules from. It never prints a blind case: blind is measured, not read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.screening import Screener
from bot.screening.corpus import figures, load_cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--no-model", action="store_true", help="rules only")
    parser.add_argument("--dev-misses", action="store_true", help="list the dev cases missed")
    args = parser.parse_args(argv)
    cases = load_cases(args.files or None)
    screener = Screener.load(use_model=not args.no_model)
    for split in ("dev", "blind"):
        for lang in ("id", "en", None):
            part = [c for c in cases if c.split == split and (lang is None or c.lang == lang)]
            if part:
                fig = figures(part, lambda c: screener.check(c.text, lang=c.lang).risk)
                print(f"{split:5} {lang or 'all':3} n={len(part):3}  {fig.line()}")
    if args.dev_misses:
        for c in cases:
            if c.split != "dev":  # never blind
                continue
            result = screener.check(c.text, lang=c.lang)
            missed = (c.label == "high" and result.risk != "high") or (
                c.label == "low" and result.risk not in ("low", "unclear")
            )
            if missed:
                raised = ",".join(f.code for f in result.flags)
                print(f"\n{c.id} {c.label}->{result.risk} want={','.join(c.flags)} got={raised}")
                print(f"  {c.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
