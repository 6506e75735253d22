"""Scoring the understanding step on a labelled set (tests/data/understanding/*.jsonl)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Scores:
    n: int = 0
    correct: int = 0
    danger: int = 0  # labelled danger
    danger_found: int = 0  # labelled danger, predicted danger
    not_danger: int = 0
    false_danger: int = 0  # predicted danger, labelled otherwise
    # Kept out of the repr: a failed assertion on a blind figure prints the object, and the
    # blind lines must never be shown one by one (tests/data/understanding/README.md).
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False)
    misses: list[tuple[str, str, str]] = field(default_factory=list, repr=False)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def danger_recall(self) -> float:
        return self.danger_found / self.danger if self.danger else 1.0

    @property
    def false_danger_rate(self) -> float:
        return self.false_danger / self.not_danger if self.not_danger else 0.0

    def line(self) -> str:
        return (
            f"n={self.n} accuracy={self.accuracy:.3f} danger_recall={self.danger_recall:.3f} "
            f"({self.danger_found}/{self.danger}) false_danger={self.false_danger_rate:.3f} "
            f"({self.false_danger}/{self.not_danger})"
        )


def load(paths: Iterable[Path]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["id"]] = row
    return list(rows.values())


def score(rows: Iterable[dict[str, Any]], predict: Callable[[str, str | None], str]) -> Scores:
    s = Scores()
    for row in rows:
        lang = row.get("lang") if row.get("lang") in ("id", "en") else None
        got = predict(row["text"], lang)
        want = row["intent"]
        s.n += 1
        s.correct += got == want
        if want == "danger":
            s.danger += 1
            s.danger_found += got == "danger"
        else:
            s.not_danger += 1
            s.false_danger += got == "danger"
        if got != want:
            s.confusions[(want, got)] += 1
            s.misses.append((row["id"], want, got))
    return s
