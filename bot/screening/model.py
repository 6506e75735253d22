"""A second opinion that learns from cases: a linear model over words and character n-grams.

Trained by scripts/train_screening_model.py on the dev split of the labelled corpus only, and
shipped as content/screening/model.json (hashed-feature weights). Scoring is pure Python: a
linear model's score is a sum over features, and the features of one word never change, so
each word's share is computed once and remembered.

The model can raise a level, never lower one, and says why: the kind of reported case it
finds nearest (the flag whose own model scores highest).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise, repeat
from operator import add, itemgetter, mul
from pathlib import Path

from bot.paths import CONTENT
from bot.text import LEMMA, Word
from bot.text.features import pair_feature, word_features

MODEL_FILE = CONTENT / "screening" / "model.json"
TEXT_FILE = CONTENT / "screening" / "model_text.toml"
_FORM_LEMMA = itemgetter(0, 1)  # of a Word
# (form, lemma) -> times, and (lemma, next lemma) -> times, of one text (see Model.counts)
_Counts = tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]


@dataclass(frozen=True)
class Opinion:
    probability: float  # of a high-risk case
    kind: str | None  # the flag code of the nearest kind of case
    text: str  # "This looks like reported cases of ..." in the asked language


class Model:
    """The loaded weights. Scoring is a sum of per-word shares, each computed once per distinct
    word and remembered (a bounded dict; sharing it between threads is safe)."""

    def __init__(self, data: Mapping[str, object], texts: Mapping[str, object]) -> None:
        risk = data["risk"]
        assert isinstance(risk, dict)
        self._bias = float(risk["bias"])
        self._w = {int(k): float(v) for k, v in risk["w"].items()}
        kinds = data.get("kinds", {})
        assert isinstance(kinds, dict)
        self._kind_codes = tuple(sorted(kinds))
        self._kind_bias = tuple(float(kinds[c]["bias"]) for c in self._kind_codes)
        # feature -> ((kind index, weight), ...): a text touches few features of each kind,
        # so the kinds are summed feature by feature, not kind by kind
        index: dict[int, list[tuple[int, float]]] = {}
        for i, code in enumerate(self._kind_codes):
            for b, v in kinds[code]["w"].items():
                index.setdefault(int(b), []).append((i, float(v)))
        self._kind_index = {k: tuple(v) for k, v in index.items()}
        self.high = float(data["threshold_high"])  # type: ignore[arg-type]
        self.medium = float(data["threshold_medium"])  # type: ignore[arg-type]
        self._texts = texts
        self._word_cache: dict[
            tuple[str, str], tuple[float, float, tuple[tuple[int, float], ...]]
        ] = {}
        self._pair_cache: dict[tuple[str, str], int] = {}  # word pairs repeat as words do
        # (form, lemma) -> (number of features, each kind's share): what nearest_kind adds up
        self._dense: dict[tuple[str, str], tuple[float, tuple[float, ...]]] = {}

    @classmethod
    def load(cls, path: Path = MODEL_FILE, texts: Path = TEXT_FILE) -> Model | None:
        if not path.exists():
            return None
        return cls(
            json.loads(path.read_text(encoding="utf-8")),
            tomllib.loads(texts.read_text(encoding="utf-8")),
        )

    def _word(self, form: str, lemma: str) -> tuple[float, float, tuple[tuple[int, float], ...]]:
        """(sum of risk weights, number of features, (kind, sum of its weights)...) of one
        word: everything a word adds to the scores, whatever text it stands in."""
        key = (form, lemma)
        hit = self._word_cache.get(key)
        if hit is None:
            w = self._w
            feats = word_features(form, lemma)
            kinds = self._kind_index
            share: dict[int, float] = {}
            for f in feats:
                for i, v in kinds.get(f, ()):
                    share[i] = share.get(i, 0.0) + v
            hit = (sum(w.get(f, 0.0) for f in feats), float(len(feats)), tuple(share.items()))
            if len(self._word_cache) < 200_000:
                self._word_cache[key] = hit
        return hit

    def _pair(self, a: str, b: str) -> int:
        key = (a, b)
        f = self._pair_cache.get(key)
        if f is None:
            f = pair_feature(a, b)
            if len(self._pair_cache) < 200_000:
                self._pair_cache[key] = f
        return f

    @staticmethod
    def counts(words: list[Word]) -> _Counts:
        """(form, lemma) -> times, and (lemma, next lemma) -> times: a text repeats its words,
        and a word's share is the same wherever it stands, so each is summed once."""
        # Counter over C iterators: no Python-level loop over the words
        lemmas = list(map(LEMMA, words))
        return Counter(map(_FORM_LEMMA, words)), Counter(pairwise(lemmas))

    def probability(self, words: list[Word], counts: _Counts | None = None) -> float:
        """`counts`: `counts(words)` when the caller has them (explain reads them too)."""
        if not words:
            return 0.0
        singles, pairs = counts or self.counts(words)
        total, sq = 0.0, float(len(words) - 1)
        for (form, lemma), times in singles.items():
            s, n, _ = self._word(form, lemma)
            total += s * times
            sq += n * times
        w = self._w
        for (a, b), times in pairs.items():
            total += w.get(self._pair(a, b), 0.0) * times
        z = self._bias + total / math.sqrt(sq)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def nearest_kind(self, words: list[Word], counts: _Counts | None = None) -> str | None:
        """The kind (flag code) whose own model scores the text highest."""
        if not self._kind_codes or not words:
            return None
        index = self._kind_index
        z = [0.0] * len(self._kind_codes)
        singles, pairs = counts or self.counts(words)
        sq = float(len(words) - 1)
        dense = self._dense
        for key, times in singles.items():
            vec = dense.get(key)
            if vec is None:
                _, n, share = self._word(*key)
                vec = [0.0] * len(z)
                for i, v in share:
                    vec[i] = v
                vec = (n, tuple(vec))
                if len(dense) < 20_000:  # 28 floats a word: a smaller bound than the scores'
                    dense[key] = vec
            n, kinds = vec
            sq += n * times
            # a C loop over the kinds instead of a Python one (adding 0.0 changes nothing)
            z = list(map(add, z, kinds if times == 1 else map(mul, kinds, repeat(times))))
        for (a, b), times in pairs.items():
            for i, v in index.get(self._pair(a, b), ()):
                z[i] += v * times
        norm = math.sqrt(sq) or 1.0
        best = max(range(len(z)), key=lambda i: self._kind_bias[i] + z[i] / norm)
        return self._kind_codes[best]

    def explain(self, words: list[Word], lang: str, counts: _Counts | None = None) -> str:
        """ "This looks like reported cases of ..." for the nearest kind of case."""
        kind = self.nearest_kind(words, counts)
        names = self._texts.get("kinds", {})
        assert isinstance(names, dict)
        intro = self._texts["intro"]
        assert isinstance(intro, dict)
        name = names.get(kind, {}).get(lang) if kind else None
        return str(intro[lang]).format(kind=name or names["default"][lang])

    def opinion(self, words: list[Word], lang: str) -> Opinion:
        counts = self.counts(words)
        p = self.probability(words, counts)
        if p < self.medium:
            return Opinion(p, None, "")
        return Opinion(p, self.nearest_kind(words, counts), self.explain(words, lang, counts))
