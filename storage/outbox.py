"""The outbox model: every reply, alert and status message is a row before it is a send."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.messages import Reply


@dataclass
class NewMessage:
    contact_id: int | None
    channel: str
    address: str
    locale: str
    reply: Reply
    kind: str = "reply"
    not_before: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)
