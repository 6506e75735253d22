"""A recording Sender for dispatcher tests: scripted failures, parts, hangs; every call kept."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from bot.messages import Outgoing
from bot.outbox import Attempt, SendError, Sent


@dataclass
class RecordingSender:
    """Sends each message as `parts` platform calls (or as many "|"-separated pieces as its
    text has), each paced through the dispatcher's Attempt. `failures` are raised in order,
    one per call, then calls succeed; a failure of None means "this call hangs"."""

    channel: str = "console"
    sent: list[Outgoing] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)  # outbox ids in the order tried
    failures: list[SendError | None] = field(default_factory=list)
    parts: int = 1
    latency: float = 0.0  # seconds each call takes
    hang_calls: set[int] = field(default_factory=set)  # these calls (0, 1, … in order) hang
    calls: list[tuple[int, int, float]] = field(default_factory=list)  # (id, part, started)
    delivered: list[tuple[str, int]] = field(default_factory=list)  # (address, part) accepted
    sent_ids: dict[int, str] = field(default_factory=dict)  # outbox id → address, once tried

    def pieces(self, message: Outgoing) -> list[str]:
        text = message.reply.text
        return text.split("|") if "|" in text else [text] * self.parts

    async def send(self, message: Outgoing, attempt: Attempt | None = None) -> Sent:
        attempt = attempt or Attempt(message)
        self.attempts.append(message.id)
        self.sent_ids[message.id] = message.address
        pieces = self.pieces(message)
        for index in range(attempt.parts_sent, len(pieces)):
            async with attempt.call():
                self.calls.append((message.id, index, time.monotonic()))
                if len(self.calls) - 1 in self.hang_calls:
                    await asyncio.Event().wait()  # until the timeout, or the process ends
                if self.latency:
                    await asyncio.sleep(self.latency)
                if self.failures:
                    failure = self.failures.pop(0)
                    if failure is None:
                        await asyncio.Event().wait()  # hangs until the timeout
                    raise failure
                self.delivered.append((message.address, index))
            if index < len(pieces) - 1:
                await attempt.delivered()
        self.sent.append(message)
        return Sent(provider_id=f"p{message.id}")
