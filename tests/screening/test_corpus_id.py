"""Shape of the Indonesian corpus of real cases in tests/data/screening/cases_id.jsonl.

Each case retells a real, sourced incident, warning or lawful programme in new words (see
tests/data/screening/README.md). These tests keep the file usable for evaluation: every field
present and typed, ids unique and in order, labels, kinds and flags from the documented
vocabulary, and the split fixed per source by the hash rule, so that no source straddles dev
and blind and nobody can move a case into the split that suits them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "data" / "screening" / "cases_id.jsonl"
README = CORPUS.parent / "README.md"

LABELS = {"high", "medium", "low", "unclear"}
KINDS = {"ad", "chat", "story", "announcement", "question", "thin"}
FIELDS = {"id", "text", "lang", "label", "flags", "kind", "source", "source_date", "split"}
MAX_PER_SOURCE = 4
BLIND_PERCENT = 35


def load() -> list[dict]:
    rows = []
    with CORPUS.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            assert line.strip(), f"blank line {n}"
            rows.append(json.loads(line))
    return rows


def documented_flags() -> set[str]:
    # The README's flag table is the vocabulary: a code used in the corpus must be explained there.
    return set(re.findall(r"^\| `([a-z_]+)` \|", README.read_text(encoding="utf-8"), re.M))


def split_for(source: str) -> str:
    bucket = int(hashlib.sha256(source.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "blind" if bucket < BLIND_PERCENT else "dev"


CASES = load()
FLAGS = documented_flags()


def test_corpus_is_big_enough_to_measure():
    assert len(CASES) >= 300


def test_readme_documents_the_flag_vocabulary():
    # The screener's existing codes must be among the documented ones (names are never changed).
    assert {"visa_nonwork", "upfront_fee", "passport_retention", "held_against_will"} <= FLAGS
    assert len(FLAGS) >= 25


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.get("id", "?"))
def test_case_fields(case):
    assert set(case) == FIELDS
    assert re.fullmatch(r"id-\d{4}", case["id"])
    assert case["lang"] == "id"
    assert case["label"] in LABELS
    assert case["kind"] in KINDS
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
    # A lawful or unjudgeable text has no warning sign to expect; a risky one names its signs.
    if case["label"] in {"low", "unclear"}:
        assert case["flags"] == []
    else:
        assert case["flags"], "a high or medium case names at least one sign"


def test_ids_unique_and_sequential():
    ids = [c["id"] for c in CASES]
    assert ids == [f"id-{n:04d}" for n in range(1, len(ids) + 1)]


def test_texts_unique():
    texts = Counter(c["text"].casefold() for c in CASES)
    assert [t for t, n in texts.items() if n > 1] == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_split_follows_the_hash_of_the_source(case):
    assert case["split"] == split_for(case["source"])


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
    assert 0.2 <= blind <= 0.45


def test_label_mix_covers_lawful_lookalikes_in_both_splits():
    # False alarms on lawful programmes are a measured failure, so they must be there in numbers.
    labels = Counter(c["label"] for c in CASES)
    total = len(CASES)
    assert labels["high"] / total >= 0.5
    assert labels["low"] / total >= 0.2
    assert labels["medium"] > 0 and labels["unclear"] > 0
    for split in ("dev", "blind"):
        part = Counter(c["label"] for c in CASES if c["split"] == split)
        assert part["high"] >= 20 and part["low"] >= 10, (split, part)
