"""A second opinion on danger told indirectly: a linear model over words and character n-grams.

The rules of understander.py find danger by its words ("disekap", "locked in"). People in
trouble often tell it round about: "majikan tidak kasih makan", "hp nya diambil, tidak boleh
keluar", "my sister hasn't called for months and the agent won't say where she is". A word list
stops there; a model that has read such stories weighs all their words together.

Trained by scripts/train_understanding_model.py on the dev split of
tests/data/understanding/messages.jsonl only, shipped as content/understanding_model.json
(hashed-feature weights, danger against every other intent). Scoring is pure Python: the score
is a sum over features and the features of one word never change, so each word's share is
computed once and remembered (the house pattern of bot/screening/model.py).

How the opinion is used is decided by the training script on dev, out of fold, and written
into the file (`thresholds`): a message the rules read as unknown, a question or an offer
becomes danger only when the model's probability reaches the threshold of that answer (about
0.7-0.8: at most 1 % of the dev lines the rules give that answer, out of fold, would be raised
wrongly), and only where the rules saw no word of harm they set aside (understander.py). A
command, navigation, small talk, a status request or a report is never changed.

On dev out of fold (1257 lines, 5 folds x 5 shuffles; `python scripts/train_understanding_model.py`
prints it): the rules alone 0.981 accuracy, danger recall 0.932 (245/263), false danger 0.001;
with the model 0.986, 0.973 (256/263), 0.006 (6/994). Blind: tests/understanding/test_intent_eval.py.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.paths import CONTENT
from bot.text.features import BUCKETS, CHAR_N, pair_feature, word_features
from bot.understanding.result import Intent

if TYPE_CHECKING:
    from bot.text import Word

MODEL_FILE = CONTENT / "understanding_model.json"
# What the features are: written into the file by the script and checked against these on load,
# so a file built for other features is refused instead of scoring nonsense.
FEATURES = {"buckets": BUCKETS, "char_n": list(CHAR_N), "lemma": True, "lemma_pairs": True}
# The words read: the start of the message, as understander.py reads it with bot/text.
MAX_CHARS = 600
# The rules' answers the model may turn into danger. A command, navigation, small talk, a
# status request or a report found by the rules is never changed.
RAISABLE = frozenset({Intent.UNKNOWN, Intent.QUESTION, Intent.OFFER})


def read(text: str) -> list[Word]:
    """The words the model reads: those understander.py reads (the start of a long paste)."""
    from bot.text import default_analyser

    text = text.strip()
    if len(text) > MAX_CHARS:
        cut = text.rfind(" ", 0, MAX_CHARS)
        text = text[: cut if cut > 0 else MAX_CHARS]
    return default_analyser().words(text)


class Model:
    """The loaded weights and the thresholds chosen on dev. A word's share of the score is
    computed once and remembered (a bounded dict; sharing it between threads is safe)."""

    def __init__(self, data: Mapping[str, object]) -> None:
        declared = data.get("features")
        if declared != FEATURES:
            raise ValueError(f"model built for features {declared}, the code has {FEATURES}")
        danger = data["danger"]
        assert isinstance(danger, dict)
        self._bias = float(danger["bias"])
        self._w = {int(k): float(v) for k, v in danger["w"].items()}
        thresholds = data["thresholds"]
        assert isinstance(thresholds, dict)
        # intent the rules gave -> the danger probability from which the model overrides it
        self.thresholds = {Intent(k): float(v) for k, v in thresholds.items()}
        assert set(self.thresholds) <= RAISABLE
        self._word_cache: dict[tuple[str, str], tuple[float, float]] = {}
        self._pair_cache: dict[tuple[str, str], float] = {}

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Model | None:
        if not path.exists():
            return None
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def _word(self, form: str, lemma: str) -> tuple[float, float]:
        """(sum of the word's weights, number of its features): its share of any score."""
        key = (form, lemma)
        hit = self._word_cache.get(key)
        if hit is None:
            w = self._w
            feats = word_features(form, lemma)
            hit = (sum(w.get(f, 0.0) for f in feats), float(len(feats)))
            if len(self._word_cache) < 200_000:
                self._word_cache[key] = hit
        return hit

    def _pair(self, a: str, b: str) -> float:
        key = (a, b)
        v = self._pair_cache.get(key)
        if v is None:
            v = self._w.get(pair_feature(a, b), 0.0)
            if len(self._pair_cache) < 200_000:
                self._pair_cache[key] = v
        return v

    def probability(self, words: list[Word]) -> float:
        """The probability that the message tells of danger now."""
        if not words:
            return 0.0
        # one pass, each word's and each pair's share looked up where it stands: a plain loop
        # over dict lookups costs less than counting the words first (a few dozen words)
        shares, pairs = self._word_cache, self._pair_cache
        total, sq = 0.0, float(len(words) - 1)
        prev = None
        for w in words:
            lemma = w[1]
            hit = shares.get(w[:2]) or self._word(w[0], lemma)
            total += hit[0]
            sq += hit[1]
            if prev is not None:
                v = pairs.get((prev, lemma))
                total += self._pair(prev, lemma) if v is None else v
            prev = lemma
        z = self._bias + total / math.sqrt(sq)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def raises(self, intent: Intent, words: list[Word]) -> bool:
        """Whether a message the rules read as `intent` is danger after all."""
        threshold = self.thresholds.get(intent)
        return threshold is not None and self.probability(words) >= threshold


@cache
def default_model() -> Model | None:
    """The shipped model, loaded once per process; None when the file is not there."""
    return Model.load()
