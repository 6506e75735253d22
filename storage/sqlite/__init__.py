"""The SQLite store on aiosqlite: one connection for the single writer, WAL, group commit.

`transaction()` is BEGIN IMMEDIATE … COMMIT on the writer's connection; the engine opens one
per batch, so the commit's cost is shared by every message in it. `reader()` is a second,
read-only connection (WAL lets it read while the writer writes); an in-memory database has
only one connection, which the reader then shares.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

import storage.base as base
from storage.repos import (
    SQLCases,
    SQLContacts,
    SQLCoordinators,
    SQLInbound,
    SQLOutbox,
    SQLVolunteers,
    outbox_counts,
)
from storage.sql import SQLiteConnection
from storage.sqlite.db import connect, schema_version

log = logging.getLogger(__name__)


async def _ping(conn: aiosqlite.Connection) -> bool:
    async with conn.execute("SELECT 1") as cur:
        row = await cur.fetchone()
    return bool(row and row[0] == 1)


class SQLiteTx(base.Tx):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        # The driver connection, for SQLite-only tools and tests; code that should run on any
        # store uses the repositories.
        self.conn = conn
        sql = SQLiteConnection(conn)
        self.sql = sql
        self.contacts = SQLContacts(sql)
        self.inbound = SQLInbound(sql)
        self.outbox = SQLOutbox(sql)
        self.cases = SQLCases(sql)
        self.volunteers = SQLVolunteers(sql)
        self.coordinators = SQLCoordinators(sql)

    async def ping(self) -> bool:
        return await _ping(self.conn)


class SQLiteReader(base.Reader):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.sql = SQLiteConnection(conn)

    async def outbox_counts(self) -> dict[str, int]:
        return await outbox_counts(SQLiteConnection(self.conn))

    async def ping(self) -> bool:
        return await _ping(self.conn)


class SQLiteStore(base.Store):
    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._read: aiosqlite.Connection | None = None
        self._tx: SQLiteTx | None = None

    @property
    def connection(self) -> aiosqlite.Connection:
        """The writer's driver connection, for SQLite-only tools and tests."""
        if self._conn is None:
            raise RuntimeError("store not open")
        return self._conn

    @property
    def in_memory(self) -> bool:
        return str(self.path) == ":memory:"

    async def open(self) -> None:
        self._conn = await connect(self.path)
        # One Tx object for the life of the store: its repositories hold nothing but the
        # connection, and building them per batch would cost the writer for nothing.
        self._tx = SQLiteTx(self._conn)

    async def close(self) -> None:
        for conn in (self._read, self._conn):
            if conn is not None:
                await conn.close()
        self._conn = self._read = self._tx = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SQLiteTx]:
        tx = self._tx
        if tx is None:
            raise RuntimeError("store not open")
        await tx.conn.execute("BEGIN IMMEDIATE")
        tx.cases.changed = False  # the Tx lives as long as the store; this flag, a transaction
        try:
            yield tx
        except BaseException:
            try:
                await tx.conn.rollback()
            except Exception:
                log.exception("rollback failed")
            raise
        await tx.conn.commit()
        if tx.sql.wants_checkpoint:
            # An erasure (or a farewell sent to an erased person) committed: copy the WAL into
            # the database file and truncate it, so the old pages are gone from the -wal too.
            tx.sql.wants_checkpoint = False
            await tx.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def version(self) -> int:
        return await schema_version(self.connection)

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[SQLiteReader]:
        if self._conn is None:
            raise RuntimeError("store not open")
        if self.in_memory:
            yield SQLiteReader(self._conn)
            return
        if self._read is None:
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"
            self._read = await aiosqlite.connect(uri, uri=True)
            await self._read.execute("PRAGMA busy_timeout=5000")
            await self._read.execute("PRAGMA query_only=ON")
            # The console's lists check filters on case rows scattered through the table; the
            # default 2 MB page cache holds a tenth of 100,000 cases, so most checks went back
            # to the file. 32 MB (an upper bound, taken only as pages are read) keeps them.
            await self._read.execute("PRAGMA cache_size=-32768")
        yield SQLiteReader(self._read)


__all__ = ["SQLiteReader", "SQLiteStore", "SQLiteTx"]
