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
    show_name: bool = True  # the reporter may hear the first name

    @property
    def first_name(self) -> str:
        return (self.name.split() or [""])[0]

    @property
    def country(self) -> str:
        """ISO country of the volunteer's place: 'ID' for a kab/kota, else the code's prefix."""
        return country_of(self.place_code)


def country_of(place_code: str | None) -> str:
    """Places abroad are coded 'MY:kuala-lumpur'; kab/kota carry BPS codes (Indonesia)."""
    if place_code and ":" in place_code:
        return place_code.split(":", 1)[0]
    return "ID"
