"""Intent figures on the blind part of the labelled messages (tests/data/understanding).

The rules and word lists were tuned, and the model (bot/understanding/model.py) fitted and
combined with them, on the `dev` part only; `blind` is scored here and in the notes. `python scripts/understanding_eval.py --split blind` prints the same figures per
language, and `--baseline` what the routing before the understanding step did.
"""

from __future__ import annotations

from pathlib import Path

from bot.understanding import Understander, default_understander
from bot.understanding.evaluation import load, score

DATA = Path(__file__).resolve().parents[1] / "data" / "understanding"

# What the shipped rules reach on blind (measured, rounded down), not the wish list. Issue 14
# asks for accuracy >= 0.95 and danger recall >= 0.98 with false danger <= 0.02. The rules alone,
# on the 487 blind lines up to u-1591: 0.893 and 0.868 (92/106), false danger 0.003 (1/381); on
# the first 262 (u-0001..u-0878, the part the first notes quote): 0.901 and 0.961 (49/51),
# against 0.435 and 0.412 for the routing before; on the 361 lines up to u-1151: 0.909 and 0.960
# (72/75). The 126 blind lines written from u-1152 to u-1591 (seven batches of the kinds the
# rules confused: offers told with a question, small talk in more words, danger told indirectly)
# are harder than the rest: 0.70 to 0.88 a batch when first measured, 0.73 to 0.92 after the
# lists were tuned on their dev lines. The 35 blind lines from u-1592 (danger told indirectly
# and its lookalikes, written for the model) gave the rules alone 0.800, 0.750 (15/20) and
# false danger 0.067 (1/15), measured once before the model was fitted.
#
# With the second opinion (bot/understanding/model.py, fitted and combined on dev only):
#   all 522 blind lines  0.904, danger recall 0.960 (121/126), false danger 0.018 (7/396)
#   the 487 up to u-1591 0.908, danger recall 0.972 (103/106), false danger 0.013 (5/381)
#   the first 262        0.897, danger recall 0.980 (50/51),   false danger 0.014 (3/211)
#   the 35 from u-1592   0.857, danger recall 0.900 (18/20),   false danger 0.133 (2/15)
#   Indonesian 0.932 (323 lines), English 0.853 (184 lines).
# The 52 blind lines from u-1687 (forum and group posts, weighted to danger and its lookalikes)
# gave 0.885, 0.933 (14/15) and false danger 0.054 (2/37) when first measured (rules alone 0.885,
# 0.867, 0.027); after the lists were tuned on their dev lines and the model refitted on the
# 1257 dev lines:
#   all 574 blind lines  0.906, danger recall 0.965 (136/141), false danger 0.018 (8/433)
#   the 52 from u-1687   0.923, danger recall 1.000 (15/15),   false danger 0.027 (1/37)
#   the 35 from u-1592   0.829, danger recall 0.900 (18/20),   false danger 0.200 (3/15)
#   Indonesian 0.927 (356 lines), English 0.866 (202 lines, false danger 0.026 (4/152)).
# Danger recall rises by a tenth; false danger rises too, to within the 0.02: the
# model is what the false danger guard allows, and MAX_FALSE_DANGER is that limit. On the first
# 262 lines accuracy falls by one line (two dangers found, three false), so the rules alone
# keep their own guard there. `python scripts/understanding_blind.py [--rules-only]` prints
# these per batch.
MIN_ACCURACY = 0.90
MIN_DANGER_RECALL = 0.96
MAX_FALSE_DANGER = 0.02  # the limit (the rules alone make 0.005)
MIN_LANGUAGE_ACCURACY = 0.85  # each of id and en
BEFORE_MODEL_LINES = 1591  # u-0001..u-1591: the 487 blind lines of the notes before the model
MIN_BEFORE_MODEL_ACCURACY = 0.90
MIN_BEFORE_MODEL_DANGER_RECALL = 0.97
MAX_BEFORE_MODEL_FALSE_DANGER = 0.015
FIRST_PART = 878  # lines u-0001..u-0878: the blind figures of the first notes
MIN_FIRST_PART_ACCURACY = 0.89  # with the model; the rules alone keep 0.90
MIN_FIRST_PART_DANGER_RECALL = 0.98  # with the model; the rules alone keep 0.96
MIN_FIRST_PART_RULES_ACCURACY = 0.90
MIN_FIRST_PART_RULES_DANGER_RECALL = 0.96
FORUM_BATCH = 1687  # lines u-1687..: the forum and group posts
MIN_FORUM_ACCURACY = 0.92
MIN_FORUM_DANGER_RECALL = 1.0
MAX_FORUM_FALSE_DANGER = 0.03


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


def test_the_lines_before_the_model_keep_their_figures() -> None:
    u = default_understander()
    rows = [r for r in _blind() if int(r["id"].removeprefix("u-")) <= BEFORE_MODEL_LINES]
    s = score(rows, lambda text, lang: u.understand(text, lang).intent.value)
    assert s.accuracy >= MIN_BEFORE_MODEL_ACCURACY, s.line()
    assert s.danger_recall >= MIN_BEFORE_MODEL_DANGER_RECALL, s.line()
    assert s.false_danger_rate <= MAX_BEFORE_MODEL_FALSE_DANGER, s.line()


def test_the_first_blind_part_keeps_its_figures() -> None:
    rows = [r for r in _blind() if int(r["id"].removeprefix("u-")) <= FIRST_PART]
    u = default_understander()
    s = score(rows, lambda text, lang: u.understand(text, lang).intent.value)
    assert s.accuracy >= MIN_FIRST_PART_ACCURACY, s.line()
    assert s.danger_recall >= MIN_FIRST_PART_DANGER_RECALL, s.line()
    rules = Understander(model=False)
    s = score(rows, lambda text, lang: rules.understand(text, lang).intent.value)
    assert s.accuracy >= MIN_FIRST_PART_RULES_ACCURACY, s.line()
    assert s.danger_recall >= MIN_FIRST_PART_RULES_DANGER_RECALL, s.line()


def test_every_language_is_served() -> None:
    u = default_understander()
    rows = _blind()
    for lang in ("id", "en"):
        part = [r for r in rows if r.get("lang") == lang]
        s = score(part, lambda text, lang: u.understand(text, lang).intent.value)
        assert s.accuracy >= MIN_LANGUAGE_ACCURACY, f"{lang}: {s.line()}"


def test_the_forum_batch_keeps_its_figures() -> None:
    rows = [r for r in _blind() if int(r["id"].removeprefix("u-")) >= FORUM_BATCH]
    assert len(rows) >= 50
    u = default_understander()
    s = score(rows, lambda text, lang: u.understand(text, lang).intent.value)
    assert s.accuracy >= MIN_FORUM_ACCURACY, s.line()
    assert s.danger_recall >= MIN_FORUM_DANGER_RECALL, s.line()
    assert s.false_danger_rate <= MAX_FORUM_FALSE_DANGER, s.line()
