"""Kawan PMI volunteers: where they are, how to reach them, whether they can take a case."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Volunteer:
    id: int
    contact_id: int | None
    name: str
    channel: str
    address: str
    place_code: str | None
    place_name: str | None
    lat: float
    lon: float
    languages: str
    capacity: int
    available: bool
