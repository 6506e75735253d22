"""Folding one token: NFKC, case folding, accents and look-alike punctuation removed.

Folding works on tokens, never on the whole text: offsets are those of the raw text, and a
character that NFKC turns into two ("ﬁ" -> "fi") cannot shift anything.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Quotes and dashes people type from phone keyboards, mapped to the ASCII ones the data uses.
_PUNCT = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "‐": "-", "‑": "-", "–": "-"})


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """The comparable form of a token: "Ｇａｊｉ" -> "gaji", "Café" -> "cafe", "Don’t" -> "don't"."""
    if token.isascii():
        return token.lower()
    s = unicodedata.normalize("NFKC", token.translate(_PUNCT)).casefold()
    if s.isascii():
        return s
    # drop combining marks (accents), keep letters of other scripts as they are
    decomposed = unicodedata.normalize("NFD", s)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    )
