"""SQLite: inbound."""

from __future__ import annotations

import aiosqlite

from storage import base


class SQLiteInbound(base.Inbound):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def seen(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        if not keys:
            return set()
        values = ",".join("(?,?)" for _ in keys)
        params = [part for key in keys for part in key]
        async with self.conn.execute(
            f"SELECT channel, external_id FROM inbound WHERE (channel, external_id) IN (VALUES {values})",
            params,
        ) as cur:
            return {(row[0], row[1]) async for row in cur}

    async def record(self, keys: list[tuple[str, str]], now: float) -> None:
        await self.conn.executemany(
            "INSERT INTO inbound (channel, external_id, received_at) VALUES (?, ?, ?)",
            [(channel, external_id, now) for channel, external_id in keys],
        )
