"""Chat spellings ("gk", "sy", "brgkt", "tf", "5jt") read as the words they stand for.

The table is data: content/text/spellings.toml.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.paths import CONTENT

SPELLINGS_FILE = CONTENT / "text" / "spellings.toml"

_NUMBER_UNIT = re.compile(r"^(\d+(?:[.,]\d+)*)([^\W\d_]+)$")
_PREFIX_NUMBER = re.compile(r"^([^\W\d_]+)(\d+(?:[.,]\d+)*)$")
_REDUP_DIGIT = re.compile(r"^([^\W\d_]{2,})2([^\W\d_]*)$")


@dataclass(frozen=True)
class Spellings:
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    currency_prefixes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = SPELLINGS_FILE) -> Spellings:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        words = {k: tuple(str(v).split()) for k, v in data.get("words", {}).items()}
        for key, value in words.items():
            if not value:
                raise ValueError(f"{path.name}: empty spelling for {key!r}")
        return cls(
            words=words,
            units=dict(data.get("units", {})),
            currency_prefixes=dict(data.get("currency_prefixes", {})),
        )

    def expand(self, folded: str) -> tuple[str, ...]:
        """The words one folded token stands for: "gk" -> ("tidak",), "5jt" -> ("5", "juta")."""
        hit = self.words.get(folded)
        if hit is not None:
            return hit
        if folded[:1].isdigit():
            m = _NUMBER_UNIT.match(folded)
            if m and m.group(2) in self.units:
                return (_number(m.group(1)), self.units[m.group(2)])
            return (_number(folded),) if m is None else (folded,)
        m = _PREFIX_NUMBER.match(folded)
        if m:
            cur = self.currency_prefixes.get(m.group(1))
            if cur is not None:
                return (cur, _number(m.group(2)))
        m = _REDUP_DIGIT.match(folded)
        if m:  # "anak2" is "anak-anak", "chat2an" is "chat-chatan"
            base = m.group(1)
            return (f"{base}-{base}{m.group(2)}",)
        return (folded,)


def _number(s: str) -> str:
    """ "5.000.000" and "5,000,000" -> "5000000"; "2,5" and "2.5" -> "2.5"."""
    parts = re.split(r"[.,]", s)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]}.{parts[1]}"
    return s
