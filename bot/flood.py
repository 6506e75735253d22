"""The per-person flood limit: one person sending hundreds of messages a minute is slowed and
told so; nobody else notices.

It sits in front of the engine's writer (Engine.handle asks it first), so a flood never
reaches the queue every message waits in: the writer handles other people's messages as if
the flooder were silent. Each person (channel, address) has a token bucket: `burst` messages
at once, refilled at `per_minute`. A message over the limit is acknowledged to the platform
(so it is not delivered again) and not handled; the first one of an episode makes the bot say,
in the person's language, that it skipped messages and to send one at a time. That notice is
the only work a flood costs the writer, at most once per `notice_every` seconds per person.

Human typing stays far below the defaults (30 at once, then one every 2 s); a stuck client or
a script does not. The console channel (an operator at a terminal) is exempt.

Time is the monotonic clock, not the services clock: a flood is measured in real seconds, and
tests that freeze the conversation clock must not freeze the bucket.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.i18n import N_

NOTICE = N_(
    "You are sending messages faster than I can read them, so I skipped some. Please wait a "
    "moment, then send one message at a time."
)


class Verdict(enum.Enum):
    ADMIT = "admit"
    SKIP = "skip"  # over the limit: acknowledge, do not handle
    SKIP_AND_TELL = "skip_and_tell"  # the same, and tell the person (once per episode)


@dataclass(frozen=True)
class FloodLimit:
    burst: float = 30.0
    per_minute: float = 30.0
    notice_every: float = 60.0  # seconds between two notices to one person
    exempt: frozenset[str] = frozenset({"console"})

    @property
    def enabled(self) -> bool:
        return self.burst > 0 and self.per_minute > 0


@dataclass
class _Bucket:
    tokens: float
    at: float
    told_at: float | None = None


@dataclass
class FloodGate:
    limit: FloodLimit = field(default_factory=FloodLimit)
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict, repr=False)
    _since_sweep: int = 0

    def admit(self, channel: str, address: str) -> Verdict:
        if not self.limit.enabled or channel in self.limit.exempt:
            return Verdict.ADMIT
        now = self.clock()
        self._sweep(now)
        key = (channel, address)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.limit.burst, now)
        else:
            refill = (now - bucket.at) * self.limit.per_minute / 60.0
            bucket.tokens = min(self.limit.burst, bucket.tokens + refill)
            bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ADMIT
        if bucket.told_at is None or now - bucket.told_at >= self.limit.notice_every:
            bucket.told_at = now
            return Verdict.SKIP_AND_TELL
        return Verdict.SKIP

    def _sweep(self, now: float) -> None:
        # Forget people whose bucket has refilled: memory stays bounded by who is active.
        self._since_sweep += 1
        if self._since_sweep < 1024:
            return
        self._since_sweep = 0
        full_after = self.limit.burst * 60.0 / self.limit.per_minute
        quiet = max(full_after, self.limit.notice_every)
        for key in [k for k, b in self._buckets.items() if now - b.at > quiet]:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


def limit_from(burst: float, per_minute: float, exempt: Iterable[str] = ("console",)) -> FloodLimit:
    return FloodLimit(burst=burst, per_minute=per_minute, exempt=frozenset(exempt))


__all__ = ["NOTICE", "FloodGate", "FloodLimit", "Verdict", "limit_from"]
