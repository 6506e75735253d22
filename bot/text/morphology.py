"""Roots of Indonesian and English words, for matching that does not care about word form.

Indonesian: PySastrawi (Nazief-Adriani / ECS with a dictionary of ~30,000 roots) strips
di-/me-/pe-/ter-/ber-/ke-, -kan/-an/-i, -nya/-ku/-mu and plural reduplication, and accepts a
root only when the dictionary knows it. It was chosen by measurement over the Snowball
Indonesian stemmer, which has no dictionary and cuts inconsistently ("ditahan" -> "tahan" but
"menahan" -> "ahan", "rekrut" -> "ekrut"), and over simplemma, whose Indonesian+English tables
take ~75 MB and ~5 s to load and leave unknown affixed forms ("paspornya") untouched.
Sastrawi costs ~0.1 ms per new word, so results are memoised per word.

English: the Snowball (Porter2) English stemmer, plus a table of irregular forms
("withheld" -> "withhold") from content/text/morphology.toml.

Chat Indonesian (Jakarta -in, nasal ng-/ny-/n-/m- verbs, ke- passive) is rewritten by the
rules of the same file, each tried only when the word is not already a known root.

A lemma is one key for both languages: an Indonesian root when the dictionary confirms one,
otherwise the English stem. Data (indicator concepts) goes through the same function, so
consistency matters more than linguistic truth.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer
from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from bot.paths import CONTENT

MORPHOLOGY_FILE = CONTENT / "text" / "morphology.toml"
_CACHE_SIZE = 100_000  # distinct word forms remembered; ~10 MB at most


@dataclass(frozen=True)
class _Colloquial:
    prefix: str
    suffix: str
    replace: tuple[str, ...]

    def candidates(self, word: str) -> list[str]:
        if self.prefix:
            if not word.startswith(self.prefix) or len(word) < len(self.prefix) + 3:
                return []
            rest = word[len(self.prefix) :]
            return [r + rest for r in self.replace]
        if not word.endswith(self.suffix) or len(word) < len(self.suffix) + 3:
            return []
        rest = word[: -len(self.suffix)]
        return [rest + r for r in self.replace]


class Morphology:
    """word (folded) -> lemma. One per process (see `default_analyser`); cached per word."""

    def __init__(
        self,
        colloquial: tuple[_Colloquial, ...] = (),
        irregular: Mapping[str, str] | None = None,
        keep: frozenset[str] = frozenset(),
        roots: Mapping[str, str] | None = None,
    ) -> None:
        words = StemmerFactory().get_words()
        self._roots = ArrayDictionary(words)
        self._id = Stemmer(self._roots)
        self._en = snowballstemmer.stemmer("english")
        self._colloquial = colloquial
        self._irregular = dict(irregular or {})
        self._keep = keep
        self._fixed = dict(roots or {})
        self._lemma_cached = lru_cache(maxsize=_CACHE_SIZE)(self._lemma)

    @classmethod
    def load(cls, path: Path = MORPHOLOGY_FILE) -> Morphology:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        rules = []
        for i, r in enumerate(data.get("colloquial", [])):
            prefix, suffix = str(r.get("prefix", "")), str(r.get("suffix", ""))
            if bool(prefix) == bool(suffix):
                raise ValueError(f"{path.name}: colloquial[{i}] needs a prefix or a suffix")
            rules.append(_Colloquial(prefix, suffix, tuple(r["replace"])))
        return cls(
            tuple(rules),
            data.get("english_irregular", {}),
            frozenset(data.get("keep", {}).get("words", [])),
            data.get("indonesian_roots", {}),
        )

    def lemma(self, word: str, lang: str | None = None) -> str:
        """The lemma of one folded word. With lang="en" an English stem is preferred unless the
        word is itself an Indonesian root ("agen", "calo"): Sastrawi would cut English words
        ("terminate" -> "mate")."""
        return self._lemma_cached(word, lang == "en")

    def is_root(self, word: str) -> bool:
        """Is this an Indonesian root word (in the dictionary)?"""
        return self._roots.contains(word)

    def indonesian_root(self, word: str) -> str | None:
        """The Indonesian root of `word`, or None when none is known."""
        if word in self._fixed:
            return self._fixed[word]
        if word in self._keep or self._roots.contains(word):
            return word
        root = self._id.stem_word(word)
        if root != word and self._roots.contains(root):
            return root
        for rule in self._colloquial:
            for cand in rule.candidates(word):
                if self._roots.contains(cand):
                    return cand
                root = self._id.stem_word(cand)
                if root != cand and self._roots.contains(root):
                    return root
        return None

    def english_stem(self, word: str) -> str:
        base = self._irregular.get(word, word)
        return self._en.stemWord(base)

    def _lemma(self, word: str, english: bool) -> str:
        if not word or not word[0].isalpha():
            return word
        if "'" in word:  # "agent's", "workers'"
            word = word.split("'", 1)[0] or word
        if word in self._keep:
            return word
        if word in self._irregular:
            return self.english_stem(word)
        if english:
            if self._roots.contains(word) or word in self._fixed:
                return self._fixed.get(word, word)
            if "-" not in word:
                return self.english_stem(word)
        root = self.indonesian_root(word)
        if root is not None:
            return root
        if "-" in word:
            left, _, right = word.partition("-")
            if left == right or right.startswith(left):  # "chat-chatan", unknown roots
                return self._lemma(left, english)
            return word
        return self.english_stem(word)
