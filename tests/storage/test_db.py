from __future__ import annotations

from pathlib import Path

import aiosqlite

from storage.sqlite.db import connect, latest_version, migrate, schema_version


async def tables(conn: aiosqlite.Connection) -> set[str]:
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
        return {row[0] async for row in cur}


async def test_fresh_database_is_at_latest_schema_in_wal_mode(db_path: Path) -> None:
    conn = await connect(db_path)
    try:
        assert await schema_version(conn) == latest_version()
        assert {"contacts", "conversations", "inbound", "outbox"} <= await tables(conn)
        async with conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        # the index interiors of a million-row database stay in memory (2 MiB did not hold
        # them: every batch re-read them from the OS)
        async with conn.execute("PRAGMA cache_size") as cur:
            assert -(await cur.fetchone())[0] >= 64 * 1024
    finally:
        await conn.close()


async def test_old_database_is_upgraded_and_keeps_its_rows(db_path: Path) -> None:
    old = await aiosqlite.connect(db_path, isolation_level=None)
    await migrate(old, target=1)
    await old.execute(
        "INSERT INTO contacts (channel, address, locale, created_at) VALUES ('console', 'siti', 'id', 1)"
    )
    await old.close()

    conn = await connect(db_path)
    try:
        assert await schema_version(conn) == latest_version()
        async with conn.execute("SELECT address FROM contacts") as cur:
            assert [row[0] async for row in cur] == ["siti"]
    finally:
        await conn.close()


async def test_connecting_twice_applies_nothing_twice(db_path: Path) -> None:
    for _ in range(2):
        conn = await connect(db_path)
        assert await schema_version(conn) == latest_version()
        await conn.close()
