"""The short cuts that keep the check fast (issue #13) never change what it finds.

What a clause or the words around a match say is remembered per piece of text (the
screener's memos), and the concepts no rule reads are left out of the matching. These tests
fail when a remembered answer leaks from one text into another or a left-out concept was
one the check needs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.screening import Screener
from bot.screening.concepts import Concepts
from bot.screening.results import FLAG_CODES
from bot.screening.screener import _CONCEPTS_READ
from bot.text import default_analyser

OFFERS = Path(__file__).resolve().parents[1] / "data" / "offers.jsonl"


def _offers() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in OFFERS.read_text(encoding="utf-8").splitlines() if line]
    return [(r["text"], r["lang"]) for r in rows]


@pytest.fixture(scope="module")
def fresh() -> Screener:
    """A screener of its own: its memos hold only what these tests put there."""
    return Screener.load(use_model=False)


def test_remembered_answers_do_not_leak_between_texts(fresh: Screener) -> None:
    # one screener that has read other texts first answers as a fresh one does
    offers = _offers()[:60]
    first = [fresh.check(text, lang=lang).to_dict() for text, lang in offers]
    again = [fresh.check(text, lang=lang).to_dict() for text, lang in reversed(offers)]
    assert first == list(reversed(again))
    assert fresh._memo_asks or fresh._memo_before  # the memos were used


def test_the_concepts_left_out_are_read_by_nobody(fresh: Screener) -> None:
    # the screener's own matching, with the concepts no rule reads left out, finds for every
    # concept it keeps the same occurrences as matching with all of them
    analyser = default_analyser()
    every = Concepts.load(analyser, FLAG_CODES)
    kept = fresh._concepts
    assert len(kept._plans) < len(every._plans)  # some were left out
    read = {c for r in kept.rules for c in (*r.concepts, *r.unless)}
    read |= {kept.id_of(name) for name in _CONCEPTS_READ}
    for text, lang in _offers():
        words = analyser.words(text, lang)
        all_occ = every.occurrences(words, text)
        occ = kept.occurrences(words, text)
        assert occ == {c: v for c, v in all_occ.items() if c in read}, text


def test_a_concept_the_screener_reads_but_leaves_out_fails_at_load() -> None:
    analyser = default_analyser()
    concepts = Concepts.load(analyser, FLAG_CODES, read=("official_name",))
    assert concepts.id_of("official_name") == concepts.ids["official_name"]
    with pytest.raises(ValueError, match="incident"):
        concepts.id_of("incident")
