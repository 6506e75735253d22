"""A clock the test moves by hand: deadlines and retries without sleeping."""

from __future__ import annotations


class ManualClock:
    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
