"""One way to run SQL on either database, so each repository is written once.

The repositories (storage/repos/) speak portable SQL with `?` placeholders through a
`Connection`: `execute` (rows affected), `executemany`, `fetch`, `fetchrow`, `fetchval`. Two
implementations wrap the drivers: `SQLiteConnection` (aiosqlite) passes the SQL through;
`PostgresConnection` (asyncpg) numbers the placeholders (`$1`, `$2`, …) once per statement.
Rows come back as the driver's row, which both index by position and by column name. A
unique-key violation is `UniqueViolation` on both, so a caller can draw a new case number
without knowing the driver. Where the dialects truly differ (row locks, the outbox claim), a
repository asks `conn.dialect`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Protocol

import aiosqlite

Params = Sequence[Any]


class UniqueViolation(Exception):
    """An INSERT or UPDATE broke a unique key."""


class Row(Protocol):
    def __getitem__(self, key: int | str, /) -> Any: ...


class Connection(Protocol):
    dialect: str  # "sqlite" | "postgresql"
    wants_checkpoint: bool

    async def execute(self, sql: str, params: Params = ()) -> int: ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def fetch(self, sql: str, params: Params = ()) -> list[Any]: ...

    async def fetchrow(self, sql: str, params: Params = ()) -> Any | None: ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any: ...


class SQLiteConnection:
    dialect = "sqlite"
    # Set by a repository when rows holding an erased person's words changed: the store then
    # checkpoints the WAL after the commit, so no old copy of a page stays in the -wal file.
    wants_checkpoint = False

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    # Each statement is ONE hop to aiosqlite's thread: its execute, fetch and close done there
    # together. Through aiosqlite's cursor API a fetch costs three hops (execute, fetchall,
    # close), each a thread wake-up under the GIL — on a batch of 200 messages at ~7 statements
    # each, that was most of the writer's time. `_execute` is aiosqlite's own queue (pinned
    # below 0.23 in pyproject.toml).
    async def _on_thread(self, mode: str, sql: str, params: Params) -> Any:
        try:
            return await self.raw._execute(_statement, self.raw._conn, mode, sql, params)
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc

    async def execute(self, sql: str, params: Params = ()) -> int:
        return int(await self._on_thread("count", sql, params))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        rows = list(rows)
        if not rows:  # nothing to write: no hop (the engine records a batch's ids even if none)
            return
        await self._on_thread("many", sql, rows)

    async def fetch(self, sql: str, params: Params = ()) -> list[Any]:
        return await self._on_thread("all", sql, params)  # type: ignore[no-any-return]

    async def fetchrow(self, sql: str, params: Params = ()) -> Any | None:
        return await self._on_thread("one", sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchrow(sql, params)
        return None if row is None else row[0]


def _statement(conn: sqlite3.Connection, mode: str, sql: str, params: Params) -> Any:
    """Runs on aiosqlite's thread: one statement, its result, the cursor closed."""
    cur = conn.executemany(sql, params) if mode == "many" else conn.execute(sql, params)
    try:
        if mode == "all":
            return cur.fetchall()
        if mode == "one":
            return cur.fetchone()
        return cur.rowcount
    finally:
        cur.close()


def _integrity(exc: sqlite3.IntegrityError) -> Exception:
    return UniqueViolation(str(exc)) if "UNIQUE" in str(exc) else exc


_PLACEHOLDER = re.compile(r"\?")


@lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, …` (our SQL has no `?` inside literals)."""
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


class PostgresConnection:
    dialect = "postgresql"
    wants_checkpoint = False  # nothing to do on PostgreSQL (no -wal file beside the data)

    def __init__(self, raw: Any) -> None:  # an asyncpg connection
        self.raw = raw

    async def execute(self, sql: str, params: Params = ()) -> int:
        import asyncpg

        try:
            status = await self.raw.execute(numbered(sql), *params)
        except asyncpg.UniqueViolationError as exc:
            raise UniqueViolation(str(exc)) from exc
        # asyncpg answers with the command tag: "UPDATE 3", "INSERT 0 1", "DELETE 0".
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        import asyncpg

        rows = list(rows)
        if not rows:
            return
        try:
            await self.raw.executemany(numbered(sql), rows)
        except asyncpg.UniqueViolationError as exc:
            raise UniqueViolation(str(exc)) from exc

    async def fetch(self, sql: str, params: Params = ()) -> list[Any]:
        import asyncpg

        try:
            return list(await self.raw.fetch(numbered(sql), *params))
        except asyncpg.UniqueViolationError as exc:
            raise UniqueViolation(str(exc)) from exc

    async def fetchrow(self, sql: str, params: Params = ()) -> Any | None:
        import asyncpg

        try:
            return await self.raw.fetchrow(numbered(sql), *params)
        except asyncpg.UniqueViolationError as exc:
            raise UniqueViolation(str(exc)) from exc

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchrow(sql, params)
        return None if row is None else row[0]


def placeholders(n: int, width: int = 1) -> str:
    """`(?,?),(?,?)…` for n rows of `width` values (or `?,?,…` when width is 1)."""
    if width == 1:
        return ",".join("?" for _ in range(n))
    row = "(" + ",".join("?" for _ in range(width)) + ")"
    return ",".join(row for _ in range(n))
