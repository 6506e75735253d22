"""Whether the understanding step reads every text it has been tried on as revision REV did.

    python scripts/understanding_same.py [--against REV] [--show N]

A change meant to make the step faster must change nothing a handler sees: every field of the
result (intent, also, topic, country, case, place, action, number, answer, language, phone,
company) is compared on the labelled messages, the offers, the screening cases, the guidance
questions and the bench's texts. Exits 1 and prints the first differences when any differ.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from understanding import LENGTHS, SHORT, load_old, texts_of_length  # noqa: E402

DATA = ROOT / "tests" / "data"
FILES = [
    DATA / "understanding" / "messages.jsonl",
    DATA / "offers.jsonl",
    DATA / "screening" / "cases_id.jsonl",
    DATA / "screening" / "cases_en.jsonl",
    *sorted((DATA / "guidance_questions").glob("*.jsonl")),
]


def texts() -> list[str]:
    out: list[str] = list(SHORT)
    for path in FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append(row.get("text") or row.get("q") or "")
    for n in LENGTHS:
        out.extend(texts_of_length(n))
    return list(dict.fromkeys(out))


def fields(result: object) -> tuple[object, ...]:
    return tuple(
        str(getattr(result, f.name))
        for f in dataclasses.fields(result)  # type: ignore[arg-type]
        if f.name != "matched"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD", metavar="REV")
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args(argv)

    from bot.understanding import Understander

    now = Understander()
    all_texts = texts()
    with tempfile.TemporaryDirectory() as tmp:
        old = load_old(args.against, Path(tmp))
        differ = []
        for text in all_texts:
            a, b = fields(old(text, None)), fields(now.understand(text, None))
            if a != b:
                differ.append((text, a, b))
    print(f"{len(all_texts)} texts, {len(differ)} read differently from {args.against}")
    for text, a, b in differ[: args.show]:
        print(f"- {text[:100]!r}\n  {args.against}: {a}\n  now: {b}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
