"""Figures of the offer check on the labelled corpus, per split and language.

    python scripts/screening_figures.py [--no-model] [FILE.jsonl ...]

Without files, reads tests/data/screening/cases_*.jsonl.
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
    args = parser.parse_args(argv)
    cases = load_cases(args.files or None)
    screener = Screener.load(use_model=not args.no_model)
    for split in ("dev", "blind"):
        for lang in ("id", "en", None):
            part = [c for c in cases if c.split == split and (lang is None or c.lang == lang)]
            if part:
                fig = figures(part, lambda c: screener.check(c.text, lang=c.lang).risk)
                print(f"{split:5} {lang or 'all':3} n={len(part):3}  {fig.line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
