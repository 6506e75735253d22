"""The labelled corpus of real cases and the figures the check is judged by.

Cases live in tests/data/screening/cases_*.jsonl, one JSON object a line:
`id, text, lang, label (high|medium|low|unclear), flags, kind, source, split (dev|blind)`.
Rules and the model are tuned on `dev` only; `blind` is measured, never read to write rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

# The corpus is test data of a checkout, not package data: an installed wheel has none, and
# only the scripts and tests that train and judge the check read it.
CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "screening"


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    lang: str
    label: str
    flags: tuple[str, ...]
    kind: str
    split: str


def load_cases(paths: Iterable[Path] | None = None) -> list[Case]:
    files = sorted(paths) if paths is not None else sorted(CORPUS_DIR.glob("cases_*.jsonl"))
    cases: list[Case] = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            cases.append(
                Case(
                    id=str(d["id"]),
                    text=str(d.get("text") or ""),
                    lang=str(d.get("lang") or "id"),
                    label=str(d["label"]),
                    flags=tuple(d.get("flags") or ()),
                    kind=str(d.get("kind") or ""),
                    split=str(d.get("split") or "dev"),
                )
            )
    return cases


@dataclass(frozen=True)
class Figures:
    n_high: int
    n_legit: int
    high_high: float  # high-risk cases rated high
    high_medium: float  # high-risk cases rated at least medium
    legit_high: float  # legitimate cases rated high
    legit_low: float  # legitimate cases rated low
    unclear: float  # "unclear" cases rated unclear (nan when none)

    def line(self) -> str:
        return (
            f"high n={self.n_high}: ->high {self.high_high:.2f} ->>=medium {self.high_medium:.2f} | "
            f"legit n={self.n_legit}: ->high {self.legit_high:.2f} ->low {self.legit_low:.2f} | "
            f"unclear->unclear {self.unclear:.2f}"
        )


def figures(cases: Iterable[Case], rate: Callable[[Case], str]) -> Figures:
    """`rate(case)` is the risk the check gives. Legitimate = label "low"."""
    cases = list(cases)
    risks = {c.id: rate(c) for c in cases}

    def share(group: list[Case], ok: Callable[[str], bool]) -> float:
        return sum(ok(risks[c.id]) for c in group) / len(group) if group else float("nan")

    high = [c for c in cases if c.label == "high"]
    legit = [c for c in cases if c.label == "low"]
    unclear = [c for c in cases if c.label == "unclear"]
    return Figures(
        n_high=len(high),
        n_legit=len(legit),
        high_high=share(high, lambda r: r == "high"),
        high_medium=share(high, lambda r: r in ("high", "medium")),
        legit_high=share(legit, lambda r: r == "high"),
        legit_low=share(legit, lambda r: r in ("low", "unclear")),
        unclear=share(unclear, lambda r: r == "unclear"),
    )
