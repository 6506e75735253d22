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

    async def execute(self, sql: str, params: Params = ()) -> int: ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def fetch(self, sql: str, params: Params = ()) -> list[Any]: ...

    async def fetchrow(self, sql: str, params: Params = ()) -> Any | None: ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any: ...


class SQLiteConnection:
    dialect = "sqlite"

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    async def execute(self, sql: str, params: Params = ()) -> int:
        try:
            cur = await self.raw.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc
        count = cur.rowcount
        await cur.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            await self.raw.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc

    async def fetch(self, sql: str, params: Params = ()) -> list[Any]:
        try:
            async with self.raw.execute(sql, params) as cur:
                return list(await cur.fetchall())
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc

    async def fetchrow(self, sql: str, params: Params = ()) -> Any | None:
        try:
            async with self.raw.execute(sql, params) as cur:
                return await cur.fetchone()
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc) from exc

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchrow(sql, params)
        return None if row is None else row[0]


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
