"""The short cuts that keep the check fast (issue #13) never change what it finds.

A pattern's alternative is skipped when a piece of text every match of it holds is missing
(patterns._required); what a clause or the words around a match say is remembered per piece of
text (screener memos). These tests fail when a skip would drop a real match or a remembered
answer would leak from one text into another.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.screening import Screener, default_screener
from bot.screening.patterns import _required
from bot.screening.text import _CASE_FOLDS_TO_ASCII, _Text

OFFERS = Path(__file__).resolve().parents[1] / "data" / "offers.jsonl"


def _offers() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in OFFERS.read_text(encoding="utf-8").splitlines() if line]
    return [(r["text"], r["lang"]) for r in rows]


def test_required_pieces_leave_out_what_a_match_may_skip() -> None:
    # an optional word, one of two alternatives and a class are not required; a group is
    assert _required(r"(?:(?:kerja|pekerja)\s+(?:di\s+)?rumah\s+tangga)") == ("rumah", "tangga")
    assert _required(r"(?:gaji\w*)") == ("gaji",)
    assert _required(r"(?:ab(?:cd)+ef)") == ("ab", "cd", "ef")
    assert _required(r"(?:caf\u00e9 bar)") == ("caf", " bar")  # a non-ASCII letter ends a piece
    assert _required(r"(?:(?<!bahasa\s)Jepang)") == ("jepang",)  # not what a look-behind reads


def test_only_the_listed_letters_case_fold_onto_ascii() -> None:
    # every code point but the surrogates: what IGNORECASE matches with an ASCII letter, and
    # what lower() turns into one, beyond ASCII itself
    text = "".join(map(chr, range(0x80, 0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))
    matched = set(re.findall(r"[a-z0-9]", text, re.IGNORECASE))
    letters = re.findall(r"[^\W\d_]", text)
    lowered = {c for c in letters if any(x.isascii() for x in c.lower())}
    assert matched | lowered == set(_CASE_FOLDS_TO_ASCII)


def test_a_skipped_alternative_has_no_match_in_the_text() -> None:
    s = default_screener()
    lists = [*s._terms.values(), *(rx for _, rx in s._official)]
    lists += [r.regex for spec in s._flags.values() for r in spec.rules if r.regex is not None]
    checked = 0
    for text, _ in _offers()[::4]:
        t = _Text(s, text)
        for rx in lists:
            for (alt, _), need in zip(rx.alts, rx.required, strict=True):
                if need and not t._can_match(need):
                    assert alt.search(t.norm) is None, (alt.pattern, text)
                    checked += 1
    assert checked > 1000  # most alternatives lack a piece in most texts


def test_a_dotted_capital_i_keeps_every_alternative() -> None:
    # "Dİ MANA" matches "di mana" under IGNORECASE although its lower case is "di̇ mana"
    s = default_screener()
    t = _Text(s, "Kerja DİMANA ya")
    assert t._can_match(("dimana",))
    assert re.search("dimana", t.norm, re.IGNORECASE)


def test_remembered_answers_do_not_leak_between_texts() -> None:
    # one screener that has read other texts first answers as a fresh one does
    offers = _offers()[:60]
    fresh = Screener.load(use_model=False)
    first = [fresh.check(text, lang=lang).to_dict() for text, lang in offers]
    again = [fresh.check(text, lang=lang).to_dict() for text, lang in reversed(offers)]
    assert first == list(reversed(again))
    assert fresh._memo_asks or fresh._memo_before  # the memos were used
