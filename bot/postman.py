"""Messages to people other than the one being answered: alerts, status updates.

Each is written in its recipient's language and queued in the outbox. A message may also take
the recipient's conversation to a step (its `focus`), so that a volunteer who answers an
alert with "1" on WhatsApp accepts that case, exactly as a button press on Telegram would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import current_locale, use_locale
from bot.messages import Reply
from storage import Tx
from storage.contacts import State
from storage.outbox import NewMessage


@dataclass(frozen=True)
class Focus:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


class Postman:
    def __init__(self, tx: Tx, now: float) -> None:
        self.tx = tx
        self.now = now
        self.messages: list[NewMessage] = []
        self.focus: dict[int, State] = {}

    async def send_to(
        self,
        contact_id: int | None,
        build: Callable[[], Reply],
        kind: str,
        focus: Focus | None = None,
    ) -> bool:
        """Queue a message built in the recipient's language. False when they cannot be
        reached (unknown, erased, or they blocked the bot)."""
        if contact_id is None:
            return False
        other = await self.tx.contacts.get(contact_id)
        if other is None or other.unreachable_at is not None:
            return False
        with use_locale(other.locale):
            reply = build()
            locale = current_locale()
        self.messages.append(
            NewMessage(other.id, other.channel, other.address, locale, reply, kind=kind)
        )
        if focus is not None:
            self.focus[other.id] = State(
                focus.flow, focus.step, dict(focus.data), list(reply.choices)
            )
        return True

    async def flush(self) -> set[str]:
        """Write what was queued (outside the engine's message handling, e.g. a deadline task).
        Returns the channels that have something new to send."""
        if self.messages:
            await self.tx.outbox.add_many(self.messages, self.now)
        if self.focus:
            await self.tx.contacts.save_states(list(self.focus.items()), self.now)
        channels = {m.channel for m in self.messages}
        self.messages, self.focus = [], {}
        return channels
