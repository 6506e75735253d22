"""The aiosqlite connection: pragmas, numbered migrations, one writer.

Migrations are the files storage/sqlite/migrations/NNNN_name.sql, applied in order; the schema
version is SQLite's `user_version`. A fresh database and an old one both end at the latest.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import aiosqlite

# Package data (storage.sqlite/migrations/*.sql), found the same way from a checkout or a wheel.
MIGRATIONS = Path(str(resources.files("storage.sqlite") / "migrations"))
_NUMBERED = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
CACHE_KIB = 65536  # the writer's page cache (see connect)


def migrations() -> list[tuple[int, Path]]:
    found = []
    for path in MIGRATIONS.iterdir():
        m = _NUMBERED.match(path.name)
        if m:
            found.append((int(m.group(1)), path))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {numbers}")
    return found


def latest_version() -> int:
    return len(migrations())


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open the store, set the pragmas and bring the schema to the latest version."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per batch.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode loses at most the last transactions on power loss, never corrupts.
    await conn.execute("PRAGMA synchronous=NORMAL")
    await conn.execute("PRAGMA foreign_keys=ON")
    # Deleted content is overwritten with zeros, not left in free pages: erasure erases.
    await conn.execute("PRAGMA secure_delete=ON")
    await conn.execute("PRAGMA busy_timeout=5000")
    # 64 MiB of pages kept (the default is 2 MiB): at a million rows the inner pages of the
    # indexes every message walks no longer fit in 2 MiB, and each batch re-read them from the
    # OS (the writer's batch took 1.3-1.5x as long as with them kept; bench/engine.py --rows).
    # Only what is read is kept: a small database uses what it needs.
    await conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    await migrate(conn)
    return conn


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection, target: int | None = None) -> int:
    current = await schema_version(conn)
    for number, path in migrations():
        if number <= current or (target is not None and number > target):
            continue
        script = path.read_text(encoding="utf-8")
        # executescript commits first; the script carries its own BEGIN/COMMIT so that a
        # migration and its version bump land together or not at all.
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        current = number
    return current
