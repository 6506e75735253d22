"""How flag weights combine into one score, and small helpers shared by free text and the guided check."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from bot.screening.results import LANGS, ScreeningDataError


def _noisy_or(weights: Iterable[float]) -> float:
    return 1.0 - math.prod(1.0 - w for w in weights)


def _lang_texts(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ScreeningDataError(f"{where}: expected a table with id and en")
    missing = [lang for lang in LANGS if not str(table.get(lang, "")).strip()]
    if missing:
        raise ScreeningDataError(f"{where}: missing text for {', '.join(missing)}")
    return {lang: str(table[lang]).strip() for lang in LANGS}


def _distinct(spans: set[tuple[int, int]]) -> int:
    """Pieces of evidence that do not overlap: two patterns on the same words count once."""
    count, last_end = 0, -1
    for a, b in sorted(spans):
        if a >= last_end:
            count += 1
            last_end = b
        else:
            last_end = max(last_end, b)
    return count


def _trim(raw: str, start: int, end: int) -> str:
    ev = raw[start:end].strip(" \t\n,.;:!?")
    return ev or raw[start:end]
