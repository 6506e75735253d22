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
# asks for accuracy >= 0.95 and danger recall >= 0.98: not reached yet. On the 487 blind lines:
# 0.893 and 0.868 (92/106), false danger 0.003 (1/381); on the first 262 (u-0001..u-0878, the
# part the first notes quote): 0.901 and 0.961 (49/51), against 0.435 and 0.412 for the routing
# before; on the 361 lines up to u-1151: 0.909 and 0.960 (72/75). The 126 blind lines written
# since u-1152 (seven batches of the kinds the rules confused: offers told with a question,
# small talk in more words, danger told indirectly) are harder than the rest: 0.70 to 0.88 a
# batch when first measured, before the lists were tuned on their dev lines, and 0.73 to 0.92
# after. English is the weaker language on blind: 0.835 on its 176 lines against 0.923 on the
# 297 Indonesian ones. The whole set's danger guard is lower than before (0.88) because those
# lines were added, not because a line that was right went wrong: every earlier batch rose.
# `python scripts/understanding_blind.py` prints these per batch.
MIN_ACCURACY = 0.89
MIN_DANGER_RECALL = 0.86
MAX_FALSE_DANGER = 0.005
MIN_LANGUAGE_ACCURACY = 0.83  # each of id and en
FIRST_PART = 878  # lines u-0001..u-0878: the blind figures of the first notes
MIN_FIRST_PART_ACCURACY = 0.90
MIN_FIRST_PART_DANGER_RECALL = 0.96


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
    assert s.danger_recall >= MIN_FIRST_PART_DANGER_RECALL, s.line()


def test_every_language_is_served() -> None:
    u = default_understander()
    rows = _blind()
    for lang in ("id", "en"):
        part = [r for r in rows if r.get("lang") == lang]
        s = score(part, lambda text, lang: u.understand(text, lang).intent.value)
        assert s.accuracy >= MIN_LANGUAGE_ACCURACY, f"{lang}: {s.line()}"
