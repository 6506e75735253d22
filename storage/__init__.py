"""Storage: the only place SQL is written.

The interface (storage/base.py), in the spirit of aiogram's BaseStorage:

    store = SQLiteStore(path)          # or another Store
    await store.open()                 # connect + migrate
    async with store.transaction() as tx:   # one unit of work, commit on exit, rollback on error
        contact = await tx.contacts.find("whatsapp", "62812…")
        await tx.outbox.add_many([...], now)
    async with store.reader() as r:    # reads for metrics and views, outside the writer
        await r.outbox_counts()
    await store.close()

A `Tx` exposes one repository per aggregate: `contacts` (people and their conversation
state), `inbound` (dedupe keys), `outbox`, `cases` (with their events and declines) and
`volunteers`. Repositories are classes with async methods that take and return the
dataclasses in storage/{contacts,cases,volunteers,outbox}.py and bot/messages.py; nothing
driver-specific (rows, cursors, exceptions) crosses the interface. The engine's single writer
opens ONE transaction per batch of messages (group commit) and everything else runs inside it
through `engine.run(task)`, where `task` receives the Tx.

For the PostgreSQL implementer: add `storage/postgres/` with a `PostgresStore(base.Store)`
whose `transaction()` yields a Tx with the five repositories (asyncpg or psycopg3), its own
migrations folder, and its dialect (placeholders `$1`, `ON CONFLICT`, `RETURNING`, the
`(a, b) IN (VALUES …)` batch lookups, the unique-number retry on a unique violation) kept in
its own modules, as storage/sqlite/ does. `storage.open_store()` picks the store from the
configured database; callers never change. `Contacts.get_or_create` has a default; every
other method is abstract, so a missing one fails at construction, not in production.
"""

from __future__ import annotations

from pathlib import Path

from storage.base import Reader, Store, Tx


def is_url(database: Path | str) -> bool:
    return str(database).startswith(("postgresql://", "postgres://"))


def open_store(database: Path | str, *, pool_size: int = 5) -> Store:
    """The store for a configured database, not opened yet: a `postgresql://` URL selects
    PostgreSQL; anything else is an SQLite file (or ":memory:")."""
    if is_url(database):
        from storage.postgres import PostgresStore

        return PostgresStore(str(database), pool_size=pool_size)
    if str(database).startswith("sqlite:"):
        database = str(database).removeprefix("sqlite:").removeprefix("//")
    from storage.sqlite import SQLiteStore

    return SQLiteStore(database)


__all__ = ["Reader", "Store", "Tx", "is_url", "open_store"]
