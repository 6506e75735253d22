"""Processed inbound ids: a message seen once is never handled twice (webhook retries)."""

from __future__ import annotations

import aiosqlite


async def seen(conn: aiosqlite.Connection, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    if not keys:
        return set()
    values = ",".join("(?,?)" for _ in keys)
    params = [part for key in keys for part in key]
    async with conn.execute(
        f"SELECT channel, external_id FROM inbound WHERE (channel, external_id) IN (VALUES {values})",
        params,
    ) as cur:
        return {(row[0], row[1]) async for row in cur}


async def record(conn: aiosqlite.Connection, keys: list[tuple[str, str]], now: float) -> None:
    await conn.executemany(
        "INSERT INTO inbound (channel, external_id, received_at) VALUES (?, ?, ?)",
        [(channel, external_id, now) for channel, external_id in keys],
    )
