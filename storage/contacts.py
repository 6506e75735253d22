"""Contacts: one per person per channel, with their language and consent, and where they are
in a conversation (`State`). The model only; each store keeps its own SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.messages import Choice


@dataclass
class Contact:
    id: int
    channel: str
    address: str
    locale: str | None = None
    display_name: str | None = None
    consent_at: float | None = None
    consent_version: str | None = None
    unreachable_at: float | None = None
    created_at: float = 0.0
    last_inbound_at: float | None = None
    # Derived when a batch loads its contacts (not columns): each saves the menu a query each
    # time it is shown. None: not known (a contact made in this batch), so the handler asks.
    is_volunteer: bool = False
    is_coordinator: bool | None = None
    has_open_reports: bool | None = None  # as the batch began; see Cases.changed

    @property
    def has_consented(self) -> bool:
        return self.consent_at is not None


@dataclass
class State:
    """Where a contact is in a conversation; survives restarts."""

    flow: str = "start"
    step: str = "start"
    data: dict[str, Any] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)
