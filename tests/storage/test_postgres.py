"""PostgreSQL: migrations, moving a deployment over, and several workers on one database.

These run against a throwaway cluster whatever store the rest of the suite uses; without the
server packages they are skipped (CI installs them).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from bot.messages import Inbound, Reply
from storage.copy import copy
from storage.outbox import NewMessage
from storage.postgres import PostgresStore, latest_version, migrate, schema_version
from storage.sqlite import SQLiteStore
from tests.helpers import ConsoleDriver, add_volunteers, report_from, running


async def test_a_fresh_database_is_at_the_latest_version_with_a_version_table(
    fresh_pg_database,
) -> None:
    raw = await asyncpg.connect(fresh_pg_database())
    try:
        assert await schema_version(raw) == latest_version()
        names = [r[0] for r in await raw.fetch("SELECT name FROM schema_migrations ORDER BY 1")]
        assert names[0] == "0001_initial.sql" and len(names) == latest_version()
    finally:
        await raw.close()


async def test_an_old_database_is_upgraded_and_keeps_its_rows(pg_server) -> None:
    url = pg_server.rsplit("/", 1)[0] + "/upgrade_test"
    admin = await asyncpg.connect(pg_server)
    await admin.execute("DROP DATABASE IF EXISTS upgrade_test")
    await admin.execute("CREATE DATABASE upgrade_test")
    try:
        raw = await asyncpg.connect(url)
        assert await migrate(raw, target=1) == 1
        await raw.execute(
            "INSERT INTO contacts (channel, address, locale, created_at)"
            " VALUES ('console', 'siti', 'id', 1)"
        )
        await raw.close()
        async with PostgresStore(url) as store:
            assert await store.version() == latest_version()
            async with store.transaction() as tx:
                siti = await tx.contacts.find("console", "siti")
        assert siti is not None and siti.locale == "id"
        # and starting again (a second worker) applies nothing twice
        async with PostgresStore(url) as store:
            assert await store.version() == latest_version()
    finally:
        await admin.execute("DROP DATABASE IF EXISTS upgrade_test WITH (FORCE)")
        await admin.close()


@pytest.mark.sqlite_only  # the source must really be a SQLite file
async def test_a_sqlite_deployment_moves_to_postgresql_and_goes_on(
    tmp_path: Path, fresh_pg_database
) -> None:
    db = tmp_path / "old.db"
    async with running(db) as system:
        await add_volunteers(system)
        number = await report_from(ConsoleDriver(system, user="siti"))
    async with SQLiteStore(db) as source, PostgresStore(fresh_pg_database()) as target:
        copied = {c.table: c.rows for c in await copy(source, target)}
        assert copied["cases"] == 1 and copied["volunteers"] == 4 and copied["outbox"] > 0
        async with target.transaction() as tx:
            case = await tx.cases.by_number(number)
            assert case is not None and case.recruiter_name == "Bu Sri"
            kinds = [e.kind for e in await tx.cases.events(case.id)]
            assert kinds[0] == "created"
            # new rows get new ids: the identity counters moved past the copied ones
            await tx.cases.create({"description": "another", "reporter_locale": "id"}, 1.0)
        # copying onto a database with rows is refused
        async with SQLiteStore(db) as again:
            try:
                await copy(again, target)
            except ValueError as exc:
                assert "empty" in str(exc)
            else:
                raise AssertionError("a copy onto live data was accepted")


async def test_two_workers_handle_a_retried_webhook_once(fresh_pg_database) -> None:
    """The same update delivered to two workers at once: one handles it, one sees a repeat."""
    url = fresh_pg_database()
    from tests.helpers import running_on

    async with running_on(url) as one, running_on(url) as two:
        message = Inbound("console", "siti", "update-77", text="halo")
        results = await asyncio.gather(one.engine.handle(message), two.engine.handle(message))
        assert sorted(r.duplicate for r in results) == [False, True]


async def test_a_persons_messages_on_two_workers_never_run_at_once(fresh_pg_database) -> None:
    url = fresh_pg_database()
    from tests.helpers import running_on

    async with running_on(url) as one, running_on(url) as two:
        await one.engine.handle(Inbound("console", "siti", "m0", text="halo"))
        # twenty messages of one person spread over two workers, all at once
        results = await asyncio.gather(
            *(
                (one if i % 2 else two).engine.handle(
                    Inbound("console", "siti", f"m{i}", text="menu")
                )
                for i in range(1, 21)
            )
        )
        assert not any(r.duplicate for r in results)
        count = await one.engine.run(
            lambda tx: tx.sql.fetchval("SELECT COUNT(*) FROM inbound WHERE channel = 'console'")
        )
        assert count == 21


async def test_each_outbox_row_is_claimed_by_one_worker(fresh_pg_database) -> None:
    url = fresh_pg_database()
    async with PostgresStore(url) as a, PostgresStore(url) as b:
        async with a.transaction() as tx:
            await tx.outbox.add_many(
                [
                    NewMessage(None, "telegram", str(i), "id", Reply(text=f"m{i}"))
                    for i in range(200)
                ],
                1.0,
            )

        async def claim(store: PostgresStore) -> list[int]:
            got: list[int] = []
            for _ in range(10):
                async with store.transaction() as tx:
                    got += [m.id for m in await tx.outbox.due("telegram", 2.0, limit=25)]
            return got

        first, second = await asyncio.gather(claim(a), claim(b))
        assert not set(first) & set(second)
        assert set(first) | set(second) == set(range(1, 201))
