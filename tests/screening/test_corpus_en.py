"""Shape of the English corpus of real cases in tests/data/screening/cases_en.jsonl.

Each case retells a real, sourced incident, warning or lawful programme in new words. These tests
keep the file usable for evaluation: every field present and typed, ids unique, labels and flags
from the agreed vocabulary, and the split decided per source (a source never straddles dev and
blind, or the blind figures would leak).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bot.screening import FLAG_CODES

CORPUS = Path(__file__).resolve().parent.parent / "data" / "screening" / "cases_en.jsonl"

LABELS = {"high", "medium", "low", "unclear"}
KINDS = {"ad", "chat", "story", "announcement", "question", "thin"}
SPLITS = {"dev", "blind"}
# The screener's flag codes (bot/screening/results.py, the one list) less the two the English
# corpus never uses: "deception" and "abusive_conditions" are named by narrower codes here.
FLAGS = set(FLAG_CODES) - {"deception", "abusive_conditions"}
FIELDS = {"id", "text", "lang", "label", "flags", "kind", "source", "source_date", "split"}
MAX_PER_SOURCE = 4


def load() -> list[dict]:
    rows = []
    with CORPUS.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            assert line.strip(), f"blank line {n}"
            rows.append(json.loads(line))
    return rows


CASES = load()


def test_corpus_is_big_enough_to_measure():
    assert len(CASES) >= 300


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.get("id", "?"))
def test_case_fields(case):
    assert set(case) == FIELDS
    assert re.fullmatch(r"en-\d{4}", case["id"])
    assert case["lang"] == "en"
    assert case["label"] in LABELS
    assert case["kind"] in KINDS
    assert case["split"] in SPLITS
    assert isinstance(case["text"], str) and case["text"].strip() == case["text"]
    assert 0 < len(case["text"]) <= 1300
    assert isinstance(case["source"], str) and len(case["source"]) >= 10
    date = case["source_date"]
    assert date is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date)
    assert isinstance(case["flags"], list)
    assert len(set(case["flags"])) == len(case["flags"])
    assert set(case["flags"]) <= FLAGS, set(case["flags"]) - FLAGS


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_flags_agree_with_label(case):
    # A legitimate or unjudgeable text has, by definition, no warning sign to expect; a high-risk
    # one must say which signs make it so.
    if case["label"] in {"low", "unclear"}:
        assert case["flags"] == []
    if case["label"] == "high":
        assert case["flags"], "a high case names at least one sign"


def test_ids_unique_and_sequential():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert ids == [f"en-{n:04d}" for n in range(1, len(ids) + 1)]


def test_texts_unique():
    texts = Counter(c["text"].casefold() for c in CASES)
    assert [t for t, n in texts.items() if n > 1] == []


def test_one_split_per_source_and_few_cases_each():
    splits = defaultdict(set)
    for c in CASES:
        splits[c["source"]].add(c["split"])
    assert {s: v for s, v in splits.items() if len(v) > 1} == {}
    per_source = Counter(c["source"] for c in CASES)
    assert max(per_source.values()) <= MAX_PER_SOURCE


def test_blind_part_is_a_real_share_of_sources():
    splits = {c["source"]: c["split"] for c in CASES}
    blind = sum(1 for s in splits.values() if s == "blind") / len(splits)
    assert 0.25 <= blind <= 0.45


def test_label_mix_covers_lawful_lookalikes():
    # False alarms on lawful programmes are measured, so they must be present in numbers.
    labels = Counter(c["label"] for c in CASES)
    total = len(CASES)
    assert labels["high"] / total >= 0.5
    assert labels["low"] / total >= 0.2
    assert labels["medium"] > 0 and labels["unclear"] > 0
    for split in SPLITS:
        part = Counter(c["label"] for c in CASES if c["split"] == split)
        assert part["high"] and part["low"], split
