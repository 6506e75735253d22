"""Lawful programmes and their fees: a fee the official programme itself asks is explained,
not rated as an illegal fee (content/screening/lawful.toml, issue #15).

A programme is recognised by its names in any word form (through bot/text, like concepts).
Its `excuses` drop the matching flags only on the data's terms: the fee within the official
amount, the funds proof next to its own words, and none of the `unless_flags` (a person's
account, a fake notice) found. Whatever is above the official fee stays flagged, and the
explanation says why.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass
from itertools import compress, count
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.paths import CONTENT
from bot.screening.results import ScreeningDataError
from bot.screening.salary import _AMOUNT, _amount_value, _find_amount
from bot.screening.scoring import _lang_texts
from bot.screening.text import _Found
from bot.text import FORM, LEMMA, Analyser, Word

if TYPE_CHECKING:
    from bot.screening.text import _Text

LAWFUL_FILE = CONTENT / "screening" / "lawful.toml"
# a count of months ("7 months", "tujuh bulan", "3 bln"): months of wages, not a monthly fee
_MONTHS = re.compile(
    r"(?i)\b(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dua|tiga|empat"
    r"|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|dua belas|several|many|beberapa)"
    r"\s*(?:months?|bulan|bln)\b"
)
_Phrase = tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Programme:
    id: str
    names: Mapping[str, tuple[_Phrase, ...]]  # by first lemma
    excuses: tuple[str, ...]
    fee_max_idr: float | None
    fee_context: Mapping[str, tuple[_Phrase, ...]]
    unless_flags: tuple[str, ...]
    covers: tuple[str, ...]
    needs_context: bool
    explanation: dict[str, str]
    above: dict[str, str]
    source: str
    reviewed: str


def _at(words: list[Word], i: int, phrase: _Phrase) -> bool:
    if i + len(phrase) > len(words):
        return False
    return all(
        words[i + j].lemma in part or words[i + j].form in part for j, part in enumerate(phrase)
    )


def _firsts(phrases: tuple[_Phrase, ...]) -> dict[str, tuple[_Phrase, ...]]:
    """first lemma -> the phrases that begin with it"""
    out: dict[str, list[_Phrase]] = {}
    for p in phrases:
        for lemma in p[0]:
            out.setdefault(lemma, []).append(p)
    return {k: tuple(v) for k, v in out.items()}


def _starts(words: list[Word], firsts: Collection[str]) -> list[int]:
    """The indexes of the words whose lemma or form is in `firsts`, in order: found in C."""
    known = firsts.__contains__
    at = set(compress(count(), map(known, map(LEMMA, words))))
    at.update(compress(count(), map(known, map(FORM, words))))
    return sorted(at)


def _spans(
    words: list[Word], firsts: Mapping[str, tuple[_Phrase, ...]], at: list[int] | None = None
) -> list[tuple[int, int]]:
    """Where the phrases begin and end; `at`: indexes to try, a superset of the words that
    begin one (by default those of `firsts`: a programme's names are a handful of words)."""
    out: list[tuple[int, int]] = []
    for i in _starts(words, firsts) if at is None else at:
        w = words[i]
        cands = firsts.get(w.lemma) or firsts.get(w.form)
        for p in cands or ():
            if _at(words, i, p):
                out.append((w.start, words[i + len(p) - 1].end))
                break
    return out


class Lawful:
    """The loaded programmes; `apply` reads one text's flags. Immutable once loaded."""

    def __init__(
        self,
        data: Mapping[str, Any],
        analyser: Analyser,
        flag_codes: tuple[str, ...],
        fee_weight: float = 0.75,
    ) -> None:
        progs: list[Programme] = []
        for i, p in enumerate(data.get("programme", [])):
            where = f"lawful programme[{i}]"
            for field in ("id", "source", "reviewed"):
                if not str(p.get(field, "")).strip():
                    raise ScreeningDataError(f"{where}: missing {field}")
            for code in [*p.get("excuses", []), *p.get("unless_flags", [])]:
                if code not in flag_codes:
                    raise ScreeningDataError(f"{where}: unknown flag {code!r}")
            names = tuple(analyser.phrase(n) for n in p.get("names", []))
            if not names or not all(names):
                raise ScreeningDataError(f"{where}: needs names")
            fee_max = p.get("fee_max_idr")
            progs.append(
                Programme(
                    id=str(p["id"]),
                    names=_firsts(names),
                    excuses=tuple(p.get("excuses", [])),
                    fee_max_idr=float(fee_max) if fee_max is not None else None,
                    fee_context=_firsts(
                        tuple(analyser.phrase(n) for n in p.get("fee_context", []))
                    ),
                    unless_flags=tuple(p.get("unless_flags", [])),
                    covers=tuple(p.get("covers", [])),
                    needs_context=bool(p.get("needs_context", False)),
                    explanation=_lang_texts(p.get("explanation"), f"{where}.explanation"),
                    above=_lang_texts(p.get("above"), f"{where}.above"),
                    source=str(p["source"]),
                    reviewed=str(p["reviewed"]),
                )
            )
        self.programmes = tuple(progs)
        self.fee_weight = fee_weight
        # every first lemma of every name: most texts name no programme and stop here
        self._firsts = frozenset(lemma for p in progs for lemma in p.names)

    @classmethod
    def load(
        cls,
        analyser: Analyser,
        flag_codes: tuple[str, ...],
        fee_weight: float = 0.75,
        path: Path = LAWFUL_FILE,
    ) -> Lawful:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(data, analyser, flag_codes, fee_weight)

    def apply(
        self,
        t: _Text,
        found: MutableMapping[str, _Found],
        to_idr: Mapping[str, float],
        lang: str,
    ) -> list[str]:
        """Drop the flags a named programme explains; return what to tell the person."""
        words = t.words
        # the words that may begin some programme's name, found once in C: most texts have
        # none, and every programme's names are looked for at these few places only
        at = _starts(words, self._firsts)
        if not at:
            return []
        named_here = {x for i in at for x in words[i][:2]}  # their forms and lemmas
        present: set[str] | None = None  # every form and lemma, when a fee context is asked
        notes: list[str] = []
        claimed: list[tuple[int, int]] = []
        covered: set[str] = set()  # programmes a more specific one already explains
        for prog in self.programmes:
            if named_here.isdisjoint(prog.names):
                continue
            named = [
                (a, b) for a, b in _spans(words, prog.names, at) if not t.negated(a, b, post=False)
            ]
            # "G to G Korea" is the EPS programme: the general G to G entry (later in the file)
            # says nothing the specific one has not said
            if not named or all(any(a < y and x < b for x, y in claimed) for a, b in named):
                continue
            if prog.id in covered:
                continue
            if prog.needs_context:
                if present is None:
                    present = set(map(LEMMA, words))
                    present.update(map(FORM, words))
                if present.isdisjoint(prog.fee_context) or not _spans(words, prog.fee_context):
                    continue  # "Taiwan" alone names a country, not its service-fee rule
            claimed.extend(named)
            covered.update(prog.covers)
            notes.append(prog.explanation[lang])
            if prog.fee_max_idr is not None and "upfront_fee" not in found:
                extra = self._fee_above(t, prog.fee_max_idr, to_idr)
                if extra is not None:  # "biaya ujian EPS-TOPIK 5 juta": more than the official fee
                    found["upfront_fee"] = _Found(self.fee_weight, extra[0], extra[1], False, set())
            blocked = any(code in found for code in prog.unless_flags)
            above = blocked and any(code in found for code in prog.excuses)
            for code in prog.excuses:
                f = found.get(code)
                if f is None or blocked:
                    continue
                if code == "upfront_fee" and not self._fee_ok(t, f, prog, to_idr):
                    above = True
                    continue
                if code == "salary_deduction" and not self._deduction_ok(t, f, prog):
                    above = True
                    continue
                del found[code]
            if above:
                notes.append(prog.above[lang])
        return notes

    @staticmethod
    def _fee_above(t: _Text, fee_max: float, to_idr: Mapping[str, float]) -> tuple[int, int] | None:
        """The first amount above `fee_max` in a sentence that speaks of paying."""
        seen: set[int] = set()
        for m in t.term("topic_fee"):
            if m.hypothetical:
                continue
            ss, se = t.sentence(m.start)
            if ss in seen:
                continue
            seen.add(ss)
            for am in _AMOUNT.finditer(t.norm, ss, se):
                if not am.group("n1"):
                    continue
                value = _amount_value(am, to_idr)
                if value is not None and value > fee_max:
                    return am.start(), am.end()
        return None

    @staticmethod
    def _deduction_ok(t: _Text, f: _Found, prog: Programme) -> bool:
        """A deduction is the programme's own fee ("the monthly service fee is deducted from my
        salary") only in a sentence that names that fee and counts no months of wages: "7 months
        of salary deducted for the agent" is the placement cost that rule forbids."""
        if not prog.fee_context:
            return True
        si = t.sentence_index(f.start)
        if not any(t.sentence_index(a) == si for a, _ in _spans(t.words, prog.fee_context)):
            return False
        ss, se = t.sentence(f.start)
        return _MONTHS.search(t.norm, ss, se) is None

    @staticmethod
    def _fee_ok(t: _Text, f: _Found, prog: Programme, to_idr: Mapping[str, float]) -> bool:
        if prog.fee_max_idr is not None:
            amount = _find_amount(t.norm, f.start, f.end, to_idr)
            if amount is None or amount[0] > prog.fee_max_idr:
                return False
        if prog.fee_context:
            si = t.sentence_index(f.start)
            near = [a for a, _ in _spans(t.words, prog.fee_context)]
            if not any(t.sentence_index(a) == si for a in near):
                return False
        return True
