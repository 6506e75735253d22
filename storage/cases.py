"""Cases: a report, who it is offered to or accepted by, its deadline and its history.
The model only; each store keeps its own SQL."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields

OPEN = ("accepted", "in_progress", "referred_bp3mi", "referred_police", "referred_kp2mi")
CLOSED = ("resolved", "not_a_case", "withdrawn")
# Crockford-style: no 0/O, 1/I/L, U, so a number read aloud or typed on a phone survives.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass
class Case:
    id: int
    number: str
    reporter_contact_id: int | None
    reporter_locale: str
    reporter_role: str | None
    reporter_name: str | None
    reporter_reach: str | None
    anonymous: bool
    description: str | None
    recruiter_name: str | None
    recruiter_phone: str | None
    recruiter_phone_norm: str | None
    place_code: str | None
    place_name: str | None
    lat: float | None
    lon: float | None
    urgent: bool
    status: str
    volunteer_id: int | None
    offered_to: int | None
    attempts: int
    deadline_at: float | None
    created_at: float
    updated_at: float
    withdrawn_at: float | None
    # The recruiter's name as matching sees it (bot/cases/recruiters.py), indexed: finding
    # other reports of the same person is a range read, not a scan of every named report.
    recruiter_name_key: str | None = None


@dataclass
class Event:
    at: float
    actor: str
    kind: str
    detail: str


def new_number() -> str:
    return "MA-" + "".join(secrets.choice(_ALPHABET) for _ in range(5))


def normalize_number(text: str) -> str:
    """'ma 7k3qh', 'MA7K3QH', 'ma-7k3qh' → 'MA-7K3QH'."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if compact.startswith("MA"):
        compact = compact[2:]
    compact = compact.replace("O", "0").replace("I", "1")  # then rejected: not in the alphabet
    return "MA-" + compact


FIELDS = [f.name for f in fields(Case)]
