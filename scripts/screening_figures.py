"""Figures of the offer check on the labelled corpus, per split and language.

    python scripts/screening_figures.py [--no-model] [--dev-misses] [--since ID ...] [--until ID ...]
        [FILE.jsonl ...]

Without files, reads tests/data/screening/cases_*.jsonl. `--dev-misses` also lists the DEV cases
the check gets wrong (a high case below high, a legitimate case above low), with the flags it
raised, to write rules from. It never prints a blind case: blind is measured, not read.
`--since id-0456 en-0571` keeps, per language, the cases from that id on (a batch added later);
`--until id-0455 en-0570` keeps those up to it (the corpus before that batch).
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
    parser.add_argument("--since", nargs="+", default=[], help="first id of a batch, per language")
    parser.add_argument("--until", nargs="+", default=[], help="last id kept, per language")
    args = parser.parse_args(argv)
    cases = [c for c in load_cases(args.files or None) if _in_range(c.id, args.since, args.until)]
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


def _in_range(case_id: str, since: list[str], until: list[str]) -> bool:
    """Ids are "<lang>-<number>": compare numbers within the language named by a bound."""
    lang, _, num = case_id.partition("-")
    for bound in since:
        b_lang, _, b_num = bound.partition("-")
        if b_lang == lang and int(num) < int(b_num):
            return False
    for bound in until:
        b_lang, _, b_num = bound.partition("-")
        if b_lang == lang and int(num) > int(b_num):
            return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
