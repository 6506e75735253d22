"""Does a change to the offer check keep its results? Compares this checkout with a revision.

    python scripts/screening_identity.py [--against REV] [--no-model] [--show N]

Checks every corpus case (tests/data/screening/cases_*.jsonl), every offer of
tests/data/offers.jsonl as it is, repeated to 1,000 characters and followed by the next offers
to 1,000 and 3,000 characters (the bench texts, with and without --mix), with the
screener of this checkout and with the one of git revision REV (default HEAD: bot/ and
content/ of REV, run in a process of their own). Prints how many results differ in risk level,
in flag codes (and their order), in evidence or questions, and the first N differences. Speed
work must leave all of them at 0; an accuracy change says what it changed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFERS = ROOT / "tests" / "data" / "offers.jsonl"
CORPUS = ROOT / "tests" / "data" / "screening"


def texts() -> list[tuple[str, str, str]]:
    """(name, text, lang) of every text compared."""
    out: list[tuple[str, str, str]] = []
    for path in sorted(CORPUS.glob("cases_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out.append((d["id"], d.get("text") or "", d.get("lang") or "id"))
    offers = [json.loads(line) for line in OFFERS.read_text(encoding="utf-8").splitlines() if line]
    for i, d in enumerate(offers):
        out.append((f"offer-{i}", d["text"], d["lang"]))
        text = d["text"]
        while len(text) < 1000:  # as bench/screening.py --chars 1000 builds them
            text += " " + d["text"]
        out.append((f"offer-{i}-1000", text[:1000], d["lang"]))
        # as --chars N --mix builds them: the offers that follow, words and clauses that do
        # not recur (and one longer length, where a matcher that is not linear would show)
        for n in (1000, 3000):
            text, j = d["text"], i
            while len(text) < n:
                j += 1
                text += " " + offers[j % len(offers)]["text"]
            out.append((f"offer-{i}-mix{n}", text[:n], d["lang"]))
    return out


def results(use_model: bool) -> dict[str, dict[str, object]]:
    from bot.screening import Screener

    screener = Screener.load(use_model=use_model)
    out: dict[str, dict[str, object]] = {}
    for name, text, lang in texts():
        r = screener.check(text, lang=lang)
        d = r.to_dict()
        d["score"] = round(r.score, 6)
        d["flags"] = [f.code for f in r.flags]
        d["evidence"] = [f.evidence for f in r.flags]
        out[name] = d
    return out


def checkout(rev: str, into: Path) -> None:
    """bot/ and content/ of revision `rev` under `into`, importable as `bot` from there."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "bot", "content"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    # bot.content must be REV's content, not this checkout's (an editable install maps it)
    os.symlink(into / "content", into / "bot" / "content")


def results_of(rev: str, use_model: bool) -> dict[str, dict[str, object]]:
    """The results of revision `rev`'s bot/ and content/, computed in a process of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        checkout(rev, Path(tmp))
        out = Path(tmp) / "results.json"
        code = (
            "import sys, json; sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2]);"
            "import bot.paths; assert str(bot.paths.CONTENT).startswith(sys.argv[1]), bot.paths.CONTENT;"
            "from scripts.screening_identity import results;"
            "json.dump(results(sys.argv[3] == '1'), open(sys.argv[4], 'w'))"
        )
        subprocess.run(
            [sys.executable, "-c", code, tmp, str(ROOT), "1" if use_model else "0", str(out)],
            check=True,
            cwd=tmp,
        )
        return json.loads(out.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD", metavar="REV")
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--show", type=int, default=10, help="differences printed (default 10)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    old = results_of(args.against, not args.no_model)
    new = results(not args.no_model)
    diffs: dict[str, list[str]] = {"risk": [], "flags": [], "other": []}
    for name, a in old.items():
        b = new[name]
        if a["risk"] != b["risk"]:
            diffs["risk"].append(name)
        elif a["flags"] != b["flags"]:
            diffs["flags"].append(name)
        elif a != b:
            diffs["other"].append(name)
    print(f"texts: {len(new)}  against {args.against}")
    for kind, names in diffs.items():
        print(f"differ in {kind}: {len(names)}")
    shown = [n for names in diffs.values() for n in names][: args.show]
    for name in shown:
        a, b = old[name], new[name]
        keys = [k for k in a if a[k] != b[k]]
        print(f"  {name}: " + "; ".join(f"{k}: {a[k]!r} -> {b[k]!r}" for k in keys)[:600])
    return 1 if any(diffs.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
