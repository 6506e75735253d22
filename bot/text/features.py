"""Hashed word features: what the bot's two statistical second opinions read.

The offer check's model (bot/screening/model.py) and the danger model
(bot/understanding/model.py) are linear models over the same kind of features of bot/text's
words: the lemma, the character n-grams of the form, and pairs of neighbouring lemmas, each
hashed into `BUCKETS`. One definition, so both hash alike; a model file records what it was
built for, and a change here means rebuilding both (scripts/train_*_model.py).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.text.analyser import Word

BUCKETS = 1 << 18
CHAR_N = (3, 5)  # character n-grams of "<form>", from 3 to 5 characters


def word_features(form: str, lemma: str) -> list[int]:
    """Hashed features of one word: its lemma and the character n-grams of its form."""
    out = [zlib.crc32(b"w:" + lemma.encode()) % BUCKETS]
    padded = f"<{form}>".encode()
    lo, hi = CHAR_N
    for n in range(lo, hi + 1):
        for i in range(len(padded) - n + 1):
            out.append(zlib.crc32(b"c:" + padded[i : i + n]) % BUCKETS)
    return out


def pair_feature(a: str, b: str) -> int:
    """The hashed feature of two neighbouring lemmas."""
    return zlib.crc32(f"b:{a} {b}".encode()) % BUCKETS


def features(words: Iterable[Word]) -> dict[int, float]:
    """The feature vector the training scripts fit: counts divided by the square root of the
    number of feature occurrences (so a model's probability can sum word by word, exactly)."""
    counts: dict[int, float] = {}
    prev = None
    for w in words:
        for f in word_features(w.form, w.lemma):
            counts[f] = counts.get(f, 0.0) + 1.0
        if prev is not None:
            f = pair_feature(prev, w.lemma)
            counts[f] = counts.get(f, 0.0) + 1.0
        prev = w.lemma
    norm = math.sqrt(sum(counts.values())) or 1.0
    return {k: v / norm for k, v in counts.items()}
