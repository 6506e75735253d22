"""Text -> words: tokens, folded, chat spellings expanded, each with its lemma and offsets."""

from __future__ import annotations

import re
from functools import cache
from itertools import chain, repeat
from operator import add, itemgetter
from typing import NamedTuple

from bot.text.morphology import Morphology
from bot.text.normalise import fold
from bot.text.spelling import Spellings
from bot.text.tokens import TOKEN, tokenize


class Word(NamedTuple):
    """One word as read. `text[start:end]` of the input is what the person typed for it;
    several words can share one token ("5jt" -> "5", "juta")."""

    form: str  # folded, chat spelling expanded: "tidak" for "gk"
    lemma: str  # root or stem: "berangkat" for "diberangkatin"
    start: int
    end: int


# A Word's form and lemma as plain functions, for map() in the loops that read every word
FORM, LEMMA = itemgetter(0), itemgetter(1)
_GROUP, _SPAN = re.Match.group, re.Match.span
_make = tuple.__new__  # Word's generated __new__ costs twice as much for the same tuple


class Analyser:
    def __init__(self, spellings: Spellings, morphology: Morphology) -> None:
        self.spellings = spellings
        self.morphology = morphology
        # raw token -> (form, lemma) pairs, one table per reading (Indonesian-first, English)
        self._cache: tuple[dict[str, tuple[tuple[str, str], ...]], ...] = ({}, {})

    @classmethod
    def load(cls) -> Analyser:
        return cls(Spellings.load(), Morphology.load())

    def _read(self, raw: str, lang: str | None) -> tuple[tuple[str, str], ...]:
        """(form, lemma) pairs of one raw token; memoised (bounded) since vocabularies repeat."""
        table = self._cache[lang == "en"]
        hit = table.get(raw)
        if hit is not None:
            return hit
        lemma = self.morphology.lemma
        out = tuple((f, lemma(f, lang)) for f in self.spellings.expand(fold(raw)))
        if len(table) < 100_000:  # a bound, not an eviction policy: enough for any day
            table[raw] = out
        return out

    def words(self, text: str, lang: str | None = None) -> list[Word]:
        """The words of `text`; lang="en" prefers English stems for words that are not
        Indonesian roots (see Morphology.lemma)."""
        # the hot loop of every check, run as C-level passes (map, chain) with no Python code
        # per token: the raw tokens, their cached (form, lemma) pairs, and each Word built as
        # the plain tuple it is, (form, lemma) + (start, end)
        ms = list(TOKEN.finditer(text))
        if not ms:
            return []
        raws = list(map(_GROUP, ms))
        table = self._cache[lang == "en"]
        pairs = list(map(table.get, raws))
        if None in pairs:  # words not read before (or beyond the cache's bound)
            read = self._read
            pairs = [
                p if p is not None else read(r, lang) for p, r in zip(pairs, raws, strict=True)
            ]
        spans = list(map(_SPAN, ms))
        flat = list(chain.from_iterable(pairs))
        if len(flat) != len(spans):  # a token read as several words ("5jt"): each has its span
            spans = list(chain.from_iterable(map(repeat, spans, map(len, pairs))))
        return list(map(_make, repeat(Word), map(add, flat, spans)))

    def lemmas(self, term: str) -> frozenset[str]:
        """Every lemma a word of data (a concept term) can take in a person's text, whichever
        language that text is read in: match a Word when its lemma is in this set."""
        forms = self.spellings.expand(fold(term))
        if len(forms) != 1:
            raise ValueError(f"{term!r} reads as several words {forms}: use phrase()")
        return frozenset(self.morphology.lemma(forms[0], lang) for lang in ("id", "en"))

    def phrase(self, text: str) -> tuple[frozenset[str], ...]:
        """A phrase of data as a sequence of lemma sets, one per word as a person's text would
        yield them ("loker" -> lowongan, kerja)."""
        out: list[frozenset[str]] = []
        for tok in tokenize(text):
            for form in self.spellings.expand(fold(tok.raw)):
                out.append(frozenset(self.morphology.lemma(form, lang) for lang in ("id", "en")))
        return tuple(out)


@cache
def default_analyser() -> Analyser:
    """The analyser for content/text files, loaded once per process."""
    return Analyser.load()
