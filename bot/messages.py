"""What travels between channels and the engine: plain dataclasses, no channel imports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    label: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One message from a person, as every channel describes it."""

    channel: str  # "console" | "telegram" | "whatsapp"
    address: str  # Telegram chat id, WhatsApp number (digits), console user id
    external_id: str  # Telegram update_id, Twilio MessageSid, console counter: the dedupe key
    text: str = ""
    choice: str | None = None  # a button payload
    location: Location | None = None
    locale_hint: str | None = None  # e.g. Telegram's language_code, for a new contact
    display_name: str | None = None
    forwarded: bool = False  # a forwarded message goes to the offer check
    media: str | None = None  # "photo" | "voice" | "sticker" | …: we cannot read it


@dataclass(frozen=True)
class Choice:
    key: str  # the payload a button sends back; ≤ 64 bytes for Telegram
    label: str


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    ask_location: bool = False

    def to_json(self) -> str:
        # by hand: dataclasses.asdict deep-copies and was a tenth of the engine's time
        data = {
            "text": self.text,
            "choices": [{"key": c.key, "label": c.label} for c in self.choices],
            "ask_location": self.ask_location,
        }
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Reply:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            text=data["text"],
            choices=tuple(Choice(**c) for c in data.get("choices", ())),
            ask_location=data.get("ask_location", False),
        )


@dataclass
class Outgoing:
    """A message waiting in the outbox for one contact."""

    id: int
    contact_id: int | None
    channel: str
    address: str
    locale: str
    kind: str  # "reply" | "alert" | "status" | …
    reply: Reply
    attempts: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    # The contact's last message to us (`Contact.last_inbound_at`), read in the same statement
    # that claimed the row for a send (`Outbox.claim`), so a channel with a reply window
    # (WhatsApp's 24 hours) decides without another trip to the writer. None: not read with
    # the row (every other read), no contact, or the contact never wrote.
    last_inbound_at: float | None = None
