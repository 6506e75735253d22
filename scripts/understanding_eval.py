"""Intent figures of the understanding step on the labelled messages.

    python scripts/understanding_eval.py [--split dev|blind|all] [--show] [FILES...]

Tune on `dev` only; `blind` is for the figures in the notes and tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.understanding import default_understander  # noqa: E402
from bot.understanding.evaluation import load, score  # noqa: E402

DEFAULT = sorted((ROOT / "tests" / "data" / "understanding").glob("*.jsonl"))


def baseline():
    """The routing before the understanding step, for a consented person at the main menu,
    as far as it can be said without a database: the first thing that took the text."""
    import re

    from bot.conversation import clean_text, normalize
    from bot.screening import default_screener
    from bot.search import default_search
    from handlers import emergency, guidance, help, language, menu, privacy, report

    screener, search = default_screener(), default_search()
    labels = {normalize(label) for _k, _f, label in menu.ENTRIES}

    def predict(text: str, lang: str | None) -> str:
        text = clean_text(text)
        norm = normalize(text)
        if not text:
            return "unknown"
        if emergency.in_danger(text) or norm in emergency._COMMANDS:
            return "danger"  # the emergency screen
        if norm.split(" ", 1)[0] == "/start" or norm in language._COMMANDS:
            return "command"
        if norm in help._COMMANDS or norm in privacy._SHOW or norm in privacy._DELETE:
            return "command"
        if report._STATUS.match(text.strip()):
            return "status"
        if norm in menu._COMMANDS:
            return "navigation"
        if re.fullmatch(r"(?:no\.?|nomor|number|pilih)?\s*(\d{1,2})", norm) or norm in labels:
            return "navigation"
        if norm in menu._GREETINGS:
            return "smalltalk"
        if guidance.is_question(text) and (
            search.answer(text).best or search.answer(text).candidates
        ):
            return "question"
        if screener.looks_like_offer(text):
            return "offer"
        if search.answer(text).best:
            return "question"
        return "unknown"

    return predict


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--split", default="dev", choices=("dev", "blind", "all"))
    parser.add_argument("--show", action="store_true", help="print each miss")
    parser.add_argument(
        "--baseline", action="store_true", help="what the routing before issue 14 did at the menu"
    )
    args = parser.parse_args()
    rows = load(args.files or DEFAULT)
    if args.split != "all":
        rows = [r for r in rows if r.get("split") == args.split]
    u = default_understander()
    by_id = {r["id"]: r for r in rows}

    def predict(text: str, lang: str | None) -> str:
        return u.understand(text, lang).intent.value

    if args.baseline:
        predict = baseline()

    total = score(rows, predict)
    print(f"{args.split}: {total.line()}")
    for lang in ("id", "en", "mix"):
        part = [r for r in rows if r.get("lang") == lang]
        if part:
            print(f"  {lang}: {score(part, predict).line()}")
    print("  confusions (want -> got):", dict(total.confusions.most_common()))
    if args.show:
        for rid, want, got in total.misses:
            print(f"  {rid} {want:>10} -> {got:<10} {by_id[rid]['text'][:120]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
