from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from storage.sql import SQLiteConnection, UniqueViolation
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


async def test_executemany_writes_every_row_in_one_hop_and_none_for_no_rows(
    db_path: Path,
) -> None:
    conn = await connect(db_path)
    sql = SQLiteConnection(conn)
    hops = 0
    execute = conn._execute

    async def counted(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal hops
        hops += 1
        return await execute(fn, *args, **kwargs)

    conn._execute = counted  # type: ignore[method-assign]
    try:
        insert = "INSERT INTO inbound (channel, external_id, received_at) VALUES (?, ?, ?)"
        await sql.executemany(insert, [])  # the engine records a batch's ids even if none
        assert hops == 0
        await sql.executemany(insert, (("console", f"m{i}", 1.0) for i in range(3)))
        assert hops == 1
        assert await sql.fetchval("SELECT COUNT(*) FROM inbound") == 3
        with pytest.raises(UniqueViolation):
            await sql.executemany(insert, [("console", "m1", 2.0)])
    finally:
        await conn.close()
