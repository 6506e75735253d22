"""Intent figures on the blind part of the labelled messages (tests/data/understanding).

The rules and word lists were tuned on the `dev` part only; `blind` is scored here and in
the notes. `python scripts/understanding_eval.py --split blind` prints the same figures per
language, and `--baseline` what the routing before the understanding step did.
"""

from __future__ import annotations

from pathlib import Path

from bot.understanding import default_understander
from bot.understanding.evaluation import load, score

DATA = Path(__file__).resolve().parents[1] / "data" / "understanding"

# What the shipped rules reach on blind (measured, rounded down), not the wish list. Issue 14
# asks for accuracy >= 0.95 and danger recall >= 0.98: not reached yet. On the 361 blind lines:
# 0.878 and 0.893 (67/75), false danger 0.003; on the first 262 (u-0001..u-0878, the part the
# first notes quote, then 0.866): 0.882 and 0.882, against 0.435 and 0.412 for the routing
# before; on the 67 blind lines written since (u-0969.., of the kinds the rules confused, so
# harder than the rest) 0.806; dev, which the lists were tuned on, 1.000. The whole set's guard
# is lower than the first part's because those harder lines were added, not because a line
# that was right went wrong. `python scripts/understanding_blind.py` prints these per batch.
MIN_ACCURACY = 0.87
MIN_DANGER_RECALL = 0.88
MAX_FALSE_DANGER = 0.01
FIRST_PART = 878  # lines u-0001..u-0878: the blind figures of the first notes
MIN_FIRST_PART_ACCURACY = 0.88


def _blind():
    rows = [r for r in load(sorted(DATA.glob("*.jsonl"))) if r.get("split") == "blind"]
    assert len(rows) >= 150, "the blind set is missing or too small"
    return rows


def test_blind_intent_accuracy_and_danger() -> None:
    u = default_understander()
    s = score(_blind(), lambda text, lang: u.understand(text, lang).intent.value)
    assert s.accuracy >= MIN_ACCURACY, s.line()
    assert s.danger_recall >= MIN_DANGER_RECALL, s.line()
    assert s.false_danger_rate <= MAX_FALSE_DANGER, s.line()


def test_the_first_blind_part_keeps_its_figures() -> None:
    u = default_understander()
    rows = [r for r in _blind() if int(r["id"].removeprefix("u-")) <= FIRST_PART]
    s = score(rows, lambda text, lang: u.understand(text, lang).intent.value)
    assert s.accuracy >= MIN_FIRST_PART_ACCURACY, s.line()
    assert s.danger_recall >= MIN_DANGER_RECALL, s.line()


def test_every_language_is_served() -> None:
    u = default_understander()
    rows = _blind()
    for lang in ("id", "en"):
        part = [r for r in rows if r.get("lang") == lang]
        s = score(part, lambda text, lang: u.understand(text, lang).intent.value)
        assert s.accuracy >= MIN_ACCURACY - 0.05, f"{lang}: {s.line()}"
