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


# What a channel reports about a sent message, in the order it can happen. Reports may arrive
# out of order (Twilio's callbacks do): a status never moves a message backwards.
DELIVERY_RANK = {
    "accepted": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
    "failed": 6,
    "undelivered": 6,
}
FAILED_DELIVERY = frozenset({"failed", "undelivered"})


def moves_forward(previous: str | None, status: str) -> bool:
    return DELIVERY_RANK.get(status, -1) >= DELIVERY_RANK.get(previous or "", -1)
