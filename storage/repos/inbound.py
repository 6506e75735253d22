"""Processed inbound ids (dedupe)."""

from __future__ import annotations

import storage.base as base
from storage.sql import Connection, placeholders


class SQLInbound(base.Inbound):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def seen(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        if not keys:
            return set()
        if self.conn.dialect == "postgresql":
            # Another worker may be handling the same retried webhook right now: wait for it
            # (a lock per key, held to the end of this transaction), then look.
            await self.conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(k, 1))"
                f" FROM unnest(ARRAY[{placeholders(len(keys))}]::text[]) AS k ORDER BY k",
                sorted(f"{c}\x1f{e}" for c, e in keys),
            )
        # A join on a VALUES list probes the primary key once per key; `(a, b) IN (VALUES …)`
        # made SQLite scan the whole table once a batch had two keys.
        rows = await self.conn.fetch(
            f"WITH k(channel, external_id) AS (VALUES {placeholders(len(keys), 2)})"
            " SELECT i.channel, i.external_id FROM k"
            " JOIN inbound i ON i.channel = k.channel AND i.external_id = k.external_id",
            [part for key in keys for part in key],
        )
        return {(row[0], row[1]) for row in rows}

    async def prune(self, before: float) -> int:
        return await self.conn.execute("DELETE FROM inbound WHERE received_at < ?", (before,))

    async def record(self, keys: list[tuple[str, str]], now: float) -> None:
        await self.conn.executemany(
            "INSERT INTO inbound (channel, external_id, received_at) VALUES (?, ?, ?)",
            [(channel, external_id, now) for channel, external_id in keys],
        )
