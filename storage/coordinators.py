"""Coordinators: the people behind the volunteers who pick up what nobody took."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Coordinator:
    id: int
    channel: str
    address: str
    name: str
    provinces: tuple[str, ...]  # BPS province codes or ISO country codes; empty = everywhere

    def covers(self, area: str | None) -> bool:
        return not self.provinces or (area is not None and area in self.provinces)
