"""Tokens of the raw text, with their offsets.

A token is a word ("diberangkatkan", "anak-anak", "don't"), a number with what is glued to
it ("5jt", "Rp5.000.000", "1000usd", "anak2"), or nothing else: punctuation and emoji are
not tokens but the clause structure reads them from the raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Numbers keep their thousands separators and glued letters; words keep inner hyphens and
# apostrophes and digits glued after them ("anak2", "rp500"). Words come first and never
# backtrack letter by letter: the check reads every token of every text with this.
TOKEN = re.compile(
    r"[^\W\d_]+(?:[-'’][^\W\d_]+)*(?:\d+(?:[.,]\d+)*[^\W\d_]*)?"
    r"|\d+(?:[.,]\d+)*[^\W\d_]*"
)


@dataclass(frozen=True, slots=True)
class Token:
    """`raw[start:end]` of the text, exactly as typed."""

    start: int
    end: int
    raw: str


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]
