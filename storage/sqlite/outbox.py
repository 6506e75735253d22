"""SQLite: outbox."""

from __future__ import annotations

import json

import aiosqlite

from bot.messages import Outgoing, Reply
from storage import base
from storage.outbox import FAILED_DELIVERY, NewMessage, moves_forward


def _outgoing(row: aiosqlite.Row) -> Outgoing:
    return Outgoing(
        id=row["id"],
        contact_id=row["contact_id"],
        channel=row["channel"],
        address=row["address"],
        locale=row["locale"],
        kind=row["kind"],
        reply=Reply.from_json(row["payload"]),
        attempts=row["attempts"],
        meta=json.loads(row["meta"]),
    )


_SELECT = (
    "SELECT id, contact_id, channel, address, locale, kind, payload, meta, attempts FROM outbox"
)


class SQLiteOutbox(base.Outbox):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add_many(self, messages: list[NewMessage], now: float) -> None:
        await self.conn.executemany(
            "INSERT INTO outbox (contact_id, channel, address, locale, kind, payload, meta,"
            " not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    m.contact_id,
                    m.channel,
                    m.address,
                    m.locale,
                    m.kind,
                    m.reply.to_json(),
                    json.dumps(m.meta, ensure_ascii=False),
                    max(m.not_before, now),
                    now,
                )
                for m in messages
            ],
        )

    async def due(self, channel: str, now: float, limit: int = 100) -> list[Outgoing]:
        """Pending messages that may go now, oldest first, never overtaking an earlier message to
        the same person (a reply in three parts arrives in order)."""
        sql = (
            f"{_SELECT} o WHERE channel = ? AND status = 'pending' AND not_before <= ?"
            " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.status = 'pending'"
            " AND e.channel = o.channel AND e.address = o.address AND e.id < o.id AND e.not_before > ?)"
            " ORDER BY id LIMIT ?"
        )
        async with self.conn.execute(sql, (channel, now, now, limit)) as cur:
            return [_outgoing(row) async for row in cur]

    async def next_due_at(self, channel: str) -> float | None:
        async with self.conn.execute(
            "SELECT MIN(not_before) FROM outbox WHERE channel = ? AND status = 'pending'",
            (channel,),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row and row[0] is not None else None

    async def pending_for(self, channel: str, address: str) -> list[Outgoing]:
        async with self.conn.execute(
            f"{_SELECT} WHERE channel = ? AND address = ? AND status = 'pending' ORDER BY id",
            (channel, address),
        ) as cur:
            return [_outgoing(row) async for row in cur]

    async def mark_sent(self, message_id: int, now: float, provider_id: str | None = None) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, provider_id = ?, attempts = attempts + 1,"
            " last_error = NULL WHERE id = ?",
            (now, provider_id, message_id),
        )

    async def mark_retry(self, message_id: int, not_before: float, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE id = ?",
            (not_before, error[:500], message_id),
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error[:500], message_id),
        )

    async def drop_pending_for(self, contact_id: int, reason: str) -> int:
        cur = await self.conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = ? WHERE contact_id = ? AND status = 'pending'",
            (reason, contact_id),
        )
        return cur.rowcount

    async def record_delivery_status(
        self, provider_id: str, status: str, error: str | None = None
    ) -> Outgoing | None:
        async with self.conn.execute(
            "SELECT delivery_status FROM outbox WHERE provider_id = ?", (provider_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None  # an earlier part of a split message, or not ours
        previous = row[0]
        if not moves_forward(previous, status):
            return None
        await self.conn.execute(
            "UPDATE outbox SET delivery_status = ?, last_error = COALESCE(?, last_error)"
            " WHERE provider_id = ?",
            (status, error, provider_id),
        )
        if status not in FAILED_DELIVERY or previous in FAILED_DELIVERY:
            return None
        async with self.conn.execute(f"{_SELECT} WHERE provider_id = ?", (provider_id,)) as cur:
            row = await cur.fetchone()
        return _outgoing(row) if row else None


async def counts(conn: aiosqlite.Connection) -> dict[str, int]:
    """Messages per status (for metrics: read on the reader connection)."""
    async with conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status") as cur:
        return {row[0]: row[1] async for row in cur}
