"""A recording Sender for dispatcher tests: scripted failures, every attempt kept."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.messages import Outgoing
from bot.outbox import SendError, Sent


@dataclass
class RecordingSender:
    channel: str = "console"
    sent: list[Outgoing] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)  # outbox ids in the order tried
    failures: list[SendError] = field(default_factory=list)  # raised in order, then success

    async def send(self, message: Outgoing) -> Sent:
        self.attempts.append(message.id)
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return Sent(provider_id=f"p{message.id}")
