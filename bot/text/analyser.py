"""Text -> words: tokens, folded, chat spellings expanded, each with its lemma and offsets."""

from __future__ import annotations

from functools import cache
from operator import itemgetter
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
        # the hot loop of every check: no intermediate Token objects, cached (form, lemma)
        # pairs, and Word built as the plain tuple it is (its generated __new__ costs twice)
        out: list[Word] = []
        append = out.append
        get = self._cache[lang == "en"].get
        make = tuple.__new__
        for m in TOKEN.finditer(text):
            raw = m.group()
            pairs = get(raw) or self._read(raw, lang)
            a, b = m.span()
            for form, lemma in pairs:
                append(make(Word, (form, lemma, a, b)))
        return out

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
