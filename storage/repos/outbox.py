"""The outbox: every reply, alert and status message is a row before it is a send."""

from __future__ import annotations

import json
from typing import Any

import storage.base as base
from bot.messages import Outgoing, Reply
from storage.outbox import FAILED_DELIVERY, NewMessage, moves_forward
from storage.sql import Connection

# How long a claimed row is left to the worker that claimed it before another may take it
# (a worker that died mid-send). Longer than any send's timeout.
CLAIM_SECONDS = 30.0


def _outgoing(row: Any) -> Outgoing:
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


_FIELDS = "id, contact_id, channel, address, locale, kind, payload, meta, attempts"
_SELECT = f"SELECT {_FIELDS} FROM outbox"


_BLANK = '{"text": "", "choices": []}'  # a purged body: the row stays, the words go


class SQLOutbox(base.Outbox):
    def __init__(self, conn: Connection, worker: str = "") -> None:
        self.conn = conn
        self.worker = worker  # who claims rows here: one id per running process
        # SQLite has one writer, the engine's; PostgreSQL may have several workers.
        self.ids_follow_commits = conn.dialect == "sqlite"

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

    async def due(
        self,
        channel: str,
        now: float,
        limit: int = 100,
        per_chat: int | None = None,
        *,
        address: str | None = None,
    ) -> list[Outgoing]:
        """Pending messages that may go now, oldest first, never overtaking an earlier message to
        the same person (a reply in three parts arrives in order); with `per_chat`, at most that
        many of each person's, so one person's backlog cannot fill the batch; with `address`,
        only that person's (their next rows, when the dispatcher has sent what it held)."""
        if self.conn.dialect == "postgresql":
            return await self._claim(channel, now, limit, per_chat, address)
        where = (
            "channel = ? AND status = 'pending' AND not_before <= ?"
            " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.status = 'pending'"
            " AND e.channel = o.channel AND e.address = o.address AND e.id < o.id"
            " AND e.not_before > ?)"
        )
        params: tuple[object, ...] = (channel, now, now)
        if address is not None:
            where += " AND o.address = ?"
            params += (address,)
        if per_chat is None:
            rows = await self.conn.fetch(
                f"{_SELECT} o WHERE {where} ORDER BY id LIMIT ?", (*params, limit)
            )
        else:
            rows = await self.conn.fetch(
                f"SELECT {_FIELDS} FROM (SELECT o.*, ROW_NUMBER() OVER"
                f" (PARTITION BY o.address ORDER BY o.id) AS rn FROM outbox o WHERE {where})"
                " WHERE rn <= ? ORDER BY id LIMIT ?",
                (*params, per_chat, limit),
            )
        return [_outgoing(row) for row in rows]

    async def new_since(
        self, channel: str, now: float, after: int, limit: int = 100
    ) -> list[tuple[Outgoing, int | None, bool]]:
        rows = await self.conn.fetch(
            f"SELECT {_FIELDS}, (SELECT MAX(e.id) FROM outbox e WHERE e.status = 'pending'"
            " AND e.channel = o.channel AND e.address = o.address AND e.id < o.id) AS prev,"
            " o.not_before <= ? AS due FROM outbox o WHERE o.channel = ?"
            " AND o.status = 'pending' AND o.id > ? ORDER BY o.id LIMIT ?",
            (now, channel, after, limit),
        )
        return [(_outgoing(row), row["prev"], bool(row["due"])) for row in rows]

    async def last_id(self) -> int:
        return int(await self.conn.fetchval("SELECT COALESCE(MAX(id), 0) FROM outbox"))

    async def _claim(
        self, channel: str, now: float, limit: int, per_chat: int | None, address: str | None
    ) -> list[Outgoing]:
        """Several workers share one database: each row is claimed by one of them (rows another
        worker is claiming right now are skipped, not waited for), and leased for a while so
        a worker that dies mid-send leaves it to another. A row put off for a retry gives
        back the claim on the person's later rows, which had to wait for it."""
        where = (
            "o.channel = ? AND o.status = 'pending' AND o.not_before <= ?"
            " AND (o.claimed_until IS NULL OR o.claimed_until < ?)"
            " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.status = 'pending'"
            " AND e.channel = o.channel AND e.address = o.address AND e.id < o.id"
            " AND (e.not_before > ? OR e.claimed_until >= ?))"
        )
        params: tuple[object, ...] = (channel, now, now, now, now)
        if address is not None:
            where += " AND o.address = ?"
            params += (address,)
        if per_chat is None:
            picked = f"SELECT o.id FROM outbox o WHERE {where} ORDER BY o.id LIMIT ?"
            params += (limit,)
        else:
            # FOR UPDATE does not go with a window function: number the rows first.
            picked = (
                "SELECT o.id FROM outbox o WHERE o.id IN (SELECT id FROM (SELECT o.id,"
                " ROW_NUMBER() OVER (PARTITION BY o.address ORDER BY o.id) AS rn"
                f" FROM outbox o WHERE {where}) numbered WHERE rn <= ?) ORDER BY o.id LIMIT ?"
            )
            params += (per_chat, limit)
        rows = await self.conn.fetch(
            f"WITH picked AS ({picked} FOR UPDATE SKIP LOCKED)"
            " UPDATE outbox SET claimed_until = ?, claimed_by = ? FROM picked"
            " WHERE outbox.id = picked.id"
            f" RETURNING {', '.join('outbox.' + f.strip() for f in _FIELDS.split(','))}",
            (*params, now + CLAIM_SECONDS, self.worker),
        )
        return sorted((_outgoing(row) for row in rows), key=lambda m: m.id)

    async def claim(self, message_id: int, now: float) -> Outgoing | None:
        # With the row, its contact's last inbound time: the send right after needs it
        # (WhatsApp's 24-hour window), and reading it here saves the sender a writer trip.
        row = await self.conn.fetchrow(
            "UPDATE outbox SET claimed_until = ?, claimed_by = ? WHERE id = ?"
            " AND status = 'pending' AND (claimed_by IS NULL OR claimed_by = ?"
            " OR claimed_until IS NULL OR claimed_until < ?)"
            f" RETURNING {_FIELDS}, (SELECT c.last_inbound_at FROM contacts c"
            " WHERE c.id = outbox.contact_id) AS last_inbound_at",
            (now + CLAIM_SECONDS, self.worker, message_id, self.worker, now),
        )
        if row is None:
            return None
        message = _outgoing(row)
        message.last_inbound_at = row["last_inbound_at"]
        return message

    async def mark_progress(self, message_id: int, meta: dict[str, object]) -> None:
        await self.conn.execute(
            "UPDATE outbox SET meta = ? WHERE id = ? AND status = 'pending'",
            (json.dumps(meta, ensure_ascii=False), message_id),
        )

    async def next_due_at(self, channel: str) -> float | None:
        value = await self.conn.fetchval(
            "SELECT MIN(not_before) FROM outbox WHERE channel = ? AND status = 'pending'",
            (channel,),
        )
        return None if value is None else float(value)

    async def pending_for(self, channel: str, address: str) -> list[Outgoing]:
        rows = await self.conn.fetch(
            f"{_SELECT} WHERE channel = ? AND address = ? AND status = 'pending' ORDER BY id",
            (channel, address),
        )
        return [_outgoing(row) for row in rows]

    async def mark_sent(self, message_id: int, now: float, provider_id: str | None = None) -> None:
        # A message to someone already erased (the farewell) keeps neither body nor address
        # once it is out.
        rows = await self.conn.fetch(
            "UPDATE outbox SET status = 'sent', sent_at = ?, provider_id = ?,"
            " attempts = attempts + 1, last_error = NULL,"
            " payload = CASE WHEN contact_id IS NULL THEN ? ELSE payload END,"
            " address = CASE WHEN contact_id IS NULL THEN '' ELSE address END"
            " WHERE id = ? RETURNING contact_id",
            (now, provider_id, _BLANK, message_id),
        )
        if rows and rows[0][0] is None:
            self.conn.wants_checkpoint = True

    async def scrub(self, probes: list[str]) -> int:
        """Blank bodies that quote an erased person. Payloads are JSON: each probe is searched
        as JSON writes it (escapes included); probes under 4 characters are too common."""
        find = (
            "instr(payload, ?) > 0" if self.conn.dialect == "sqlite" else "strpos(payload, ?) > 0"
        )
        total = 0
        for probe in {p for p in probes if len(p) >= 4}:
            for encoded in {json.dumps(probe)[1:-1], json.dumps(probe, ensure_ascii=False)[1:-1]}:
                total += await self.conn.execute(
                    f"UPDATE outbox SET payload = ?, last_error = NULL WHERE {find}",
                    (_BLANK, encoded),
                )
        if total:
            self.conn.wants_checkpoint = True
        return total

    async def purge_delivered(self, before: float, limit: int = 2000) -> int:
        """Blank the bodies of up to `limit` messages delivered before `before`, the oldest
        first. Through outbox_unpurged (migration 0008), which holds only bodies not yet
        blanked: the sweep costs what it blanks, not the size of the outbox, and a backlog
        of a million is worked off a batch per pass instead of in one long write."""
        hint = " INDEXED BY outbox_unpurged" if self.conn.dialect == "sqlite" else ""
        # the blank body as a literal: the partial index's condition must appear as written
        return await self.conn.execute(
            "UPDATE outbox SET payload = ? WHERE id IN (SELECT id FROM outbox"
            f"{hint} WHERE status = 'sent' AND payload != '{_BLANK}' AND sent_at < ?"
            " ORDER BY sent_at LIMIT ?)",
            (_BLANK, before, limit),
        )

    async def mark_retry(self, message_id: int, not_before: float, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ?"
            " WHERE id = ?",
            (not_before, error[:500], message_id),
        )
        # The person's later messages waited for this one: free them with it.
        await self.conn.execute(
            "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL WHERE status = 'pending'"
            " AND claimed_until IS NOT NULL AND channel = (SELECT channel FROM outbox WHERE id = ?)"
            " AND address = (SELECT address FROM outbox WHERE id = ?)",
            (message_id, message_id),
        )

    async def release_claims(self) -> int:
        """Give back what this worker claimed and did not send (it is stopping)."""
        return await self.conn.execute(
            "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL"
            " WHERE status = 'pending' AND claimed_by = ?",
            (self.worker,),
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?"
            " WHERE id = ?",
            (error[:500], message_id),
        )

    async def drop_pending_for(self, contact_id: int, reason: str) -> int:
        return await self.conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = ?"
            " WHERE contact_id = ? AND status = 'pending'",
            (reason, contact_id),
        )

    async def record_delivery_status(
        self, provider_id: str, status: str, error: str | None = None
    ) -> Outgoing | None:
        row = await self.conn.fetchrow(
            "SELECT delivery_status FROM outbox WHERE provider_id = ?", (provider_id,)
        )
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
        row = await self.conn.fetchrow(f"{_SELECT} WHERE provider_id = ?", (provider_id,))
        return _outgoing(row) if row else None


async def outbox_counts(conn: Connection) -> dict[str, int]:
    """Messages per status (for metrics: read on the reader connection)."""
    # outbox_tally: a table kept by triggers (SQLite) or a view (PostgreSQL), migration 0006_big_tables
    rows = await conn.fetch("SELECT status, n FROM outbox_tally WHERE n > 0")
    return {row[0]: int(row[1]) for row in rows}
