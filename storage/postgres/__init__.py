"""The PostgreSQL store on asyncpg, for deployments with several workers on one database.

asyncpg rather than psycopg 3: on the engine writer's own batch shape (bench/pg_drivers.py)
it was 1.45-1.56x faster and used 2.3x less client CPU per message.

Each worker process has its own single writer and group commit, as on SQLite; what several
workers need besides is in the SQL (storage/repos/): a lock per retried inbound id and per
person while a batch is handled (so a person's messages are never handled twice or at the same
time), outbox rows claimed with FOR UPDATE SKIP LOCKED, overdue deadlines locked while fired.
`leader(name)` elects one process for work that must run once across workers (sending within
the platforms' global rate limits, timers), by a session advisory lock held on its own
connection; `notify`/`listen` wake the leader's dispatchers when another worker commits
outbox rows.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import socket
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import storage.base as base
from storage.repos import (
    SQLCases,
    SQLContacts,
    SQLInbound,
    SQLOutbox,
    SQLVolunteers,
    outbox_counts,
)
from storage.sql import PostgresConnection

log = logging.getLogger(__name__)

_NUMBERED = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_MIGRATION_LOCK = 0x4D41_0001  # "MA" + 1: one worker migrates at a time
NOTIFY_CHANNEL = "migrasi_aman_outbox"


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, SQL) of storage/postgres/migrations, numbered 1..N without gaps."""
    folder = resources.files(__package__).joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        m = _NUMBERED.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {numbers}")
    return found


def latest_version() -> int:
    return len(migrations())


async def migrate(raw: Any, target: int | None = None) -> int:
    """Bring the schema to the latest version (or `target`); safe when workers start together."""
    await raw.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    await raw.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        current = await raw.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        for number, name, script in migrations():
            if number <= current or (target is not None and number > target):
                continue
            async with raw.transaction():
                await raw.execute(script)
                await raw.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", number, name
                )
            current = number
        return int(current)
    finally:
        await raw.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)


async def schema_version(raw: Any) -> int:
    exists = await raw.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return 0
    return int(await raw.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))


class PostgresTx(base.Tx):
    def __init__(self, raw: Any, worker: str) -> None:
        self.raw = raw  # the asyncpg connection, for PostgreSQL-only tools and tests
        sql = PostgresConnection(raw)
        self.sql = sql
        self.contacts = SQLContacts(sql)
        self.inbound = SQLInbound(sql)
        self.outbox = SQLOutbox(sql, worker)
        self.cases = SQLCases(sql)
        self.volunteers = SQLVolunteers(sql)

    async def ping(self) -> bool:
        return await self.raw.fetchval("SELECT 1") == 1


class PostgresReader(base.Reader):
    def __init__(self, raw: Any) -> None:
        self.conn = PostgresConnection(raw)

    async def outbox_counts(self) -> dict[str, int]:
        return await outbox_counts(self.conn)

    async def ping(self) -> bool:
        return await self.conn.fetchval("SELECT 1") == 1


def _lock_key(name: str) -> int:
    return zlib.crc32(f"migrasi-aman:{name}".encode())


class PostgresStore(base.Store):
    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.pool_size = max(2, pool_size)
        self._pool: Any = None
        self._listener: Any = None
        self._callbacks: list[Callable[[set[str]], None]] = []
        # Who claims outbox rows from this process (host, pid and a random part).
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    @property
    def pool(self) -> Any:
        if self._pool is None:
            raise RuntimeError("store not open")
        return self._pool

    async def open(self) -> None:
        import asyncpg

        self._pool = await asyncpg.create_pool(
            self.url, min_size=1, max_size=self.pool_size, command_timeout=60
        )
        async with self._pool.acquire() as raw:
            await migrate(raw)

    async def close(self) -> None:
        if self._pool is not None:
            try:
                async with self.transaction() as tx:
                    await tx.outbox.release_claims()
            except Exception:  # closing must not fail on a lost connection
                log.exception("could not release outbox claims")
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTx]:
        async with self.pool.acquire() as raw, raw.transaction():
            yield PostgresTx(raw, self.worker)

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[PostgresReader]:
        async with self.pool.acquire() as raw:
            yield PostgresReader(raw)

    async def version(self) -> int:
        async with self.pool.acquire() as raw:
            return await schema_version(raw)

    # --- several workers --------------------------------------------------------------------
    @asynccontextmanager
    async def leader(self, name: str, *, poll: float = 2.0) -> AsyncIterator[None]:
        """Wait until this process leads `name` across all workers, and lead while the block
        runs. The lock lives on its own connection: if this process dies, PostgreSQL ends
        the session and another worker takes over within `poll` seconds."""
        import asyncpg

        key = _lock_key(name)
        while True:
            raw = await asyncpg.connect(self.url)
            try:
                while not await raw.fetchval("SELECT pg_try_advisory_lock($1)", key):
                    await asyncio.sleep(poll)
            except BaseException:
                await raw.close()
                raise
            break
        try:
            yield
        finally:
            try:
                await raw.execute("SELECT pg_advisory_unlock($1)", key)
            finally:
                await raw.close()

    async def notify(self, channels: set[str]) -> None:
        """Tell every worker's dispatchers that these channels got outbox rows."""
        if not channels:
            return
        async with self.pool.acquire() as raw:
            await raw.execute(
                "SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, ",".join(sorted(channels))
            )

    async def listen(self, callback: Callable[[set[str]], None]) -> None:
        """Call `callback(channels)` whenever any worker notifies."""
        import asyncpg

        self._callbacks.append(callback)
        if self._listener is not None:
            return
        self._listener = await asyncpg.connect(self.url)

        def deliver(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            channels = set(payload.split(","))
            for cb in list(self._callbacks):
                cb(channels)

        await self._listener.add_listener(NOTIFY_CHANNEL, deliver)


__all__ = ["PostgresReader", "PostgresStore", "PostgresTx", "latest_version", "migrate"]
