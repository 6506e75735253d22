"""Cost of Understander.understand per call, by length of message.

    python bench/understanding.py [--repeat N] [--against REV]

Short messages (what people type at a prompt: "halo", "menu", "data saya", "2") and offers of
tests/data/offers.jsonl repeated up to 300, 1,000 and 1,500 characters, in one thread. Prints
microseconds of CPU per call (the CPU clock counts only this process on a shared machine).
`--against REV` loads bot/understanding and content/understanding.toml as they were at git
revision REV, and times both in the same run, so the ratio is fair. Targets (issue 14): a short
message <= 30 us, 1,500 characters <= 1,500 us, and the cost linear in length.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OFFERS = ROOT / "tests" / "data" / "offers.jsonl"
SHORT = [
    "halo", "menu", "data saya", "2", "ya", "terima kasih kak", "lanjut", "taiwan",
    "gak tau", "assalamualaikum", "next", "biaya", "ok makasih ya", "hapus data saya",
]  # fmt: skip
LENGTHS = (300, 1000, 1500)
TARGETS = {"short": 30.0, 1500: 1500.0}


def texts_of_length(chars: int) -> list[str]:
    offers = [json.loads(line)["text"] for line in OFFERS.read_text(encoding="utf-8").splitlines()]
    out = []
    for i, first in enumerate(offers[:40]):
        text = first
        j = i
        while len(text) < chars:  # other offers after it, as a long paste of several adverts
            j = (j + 1) % len(offers)
            text += "\n" + offers[j]
        out.append(text[:chars])
    return out


def load_old(rev: str, into: Path) -> Callable[[str, str | None], object]:
    """The understander of revision `rev` as a package of its own, `old_understanding`."""
    package = into / "old_understanding"
    package.mkdir()
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{rev}:bot/understanding"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in names:
        if not name.endswith(".py"):
            continue
        source = subprocess.run(
            ["git", "show", f"{rev}:bot/understanding/{name}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (package / name).write_text(source.replace("bot.understanding", "old_understanding"))
    toml = subprocess.run(
        ["git", "show", f"{rev}:content/understanding.toml"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (into / "understanding.toml").write_text(toml, encoding="utf-8")
    sys.path.insert(0, str(into))
    lexicon = importlib.import_module("old_understanding.lexicon")
    understander = importlib.import_module("old_understanding.understander")
    old = understander.Understander(lexicon.Lexicon.load(into / "understanding.toml"))
    return old.understand


def per_call_us(understand: Callable[[str, str | None], object], texts: list[str], n: int) -> float:
    for t in texts:  # warm-up: first-use costs (search index, gazetteer) are paid once
        understand(t, None)
    calls = 0
    start = time.process_time()
    for _ in range(n):
        for t in texts:
            understand(t, None)
            calls += 1
    return (time.process_time() - start) / calls * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over each set")
    parser.add_argument("--against", metavar="REV", help="time the understander of REV too")
    args = parser.parse_args(argv)

    from bot.understanding import Understander

    understander = Understander()
    runs: dict[str, Callable[[str, str | None], object]] = {
        "now": understander.understand,
        # the same reading without the memory of short messages: what a word costs the first
        # time anyone types it
        "now, unseen": lambda text, lang: understander._understand(text.strip(), lang),
    }
    with tempfile.TemporaryDirectory() as tmp:
        if args.against:
            runs[args.against] = load_old(args.against, Path(tmp))
        sets: dict[object, list[str]] = {"short": SHORT}
        sets.update({n: texts_of_length(n) for n in LENGTHS})
        print(f"{'set':>8} " + " ".join(f"{name:>12}" for name in runs) + "   (us per call)")
        figures: dict[str, dict[object, float]] = {name: {} for name in runs}
        for label, texts in sets.items():
            repeat = args.repeat * (50 if label == "short" else 1)
            for name, understand in runs.items():
                figures[name][label] = per_call_us(understand, texts, repeat)
            print(f"{label!s:>8} " + " ".join(f"{figures[n][label]:>12,.1f}" for n in runs))
    now = figures["now"]
    linear = now[1500] / now[300]
    print(f"1500/300 chars: {linear:.1f}x (linear is 5x)")
    for label, target in TARGETS.items():
        for name in ("now", "now, unseen"):
            value = figures[name][label]
            verdict = "meets" if value <= target else "ABOVE"
            print(f"target {label} ({name}): <= {target:,.0f} us: {verdict} ({value:,.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
