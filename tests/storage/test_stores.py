"""The suite runs on the store it was asked for, and both stores answer the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.postgres import PostgresStore
from storage.sql import numbered
from storage.sqlite import SQLiteStore
from tests.helpers import running


async def test_the_system_runs_on_the_store_under_test(
    db_path: Path, request: pytest.FixtureRequest
) -> None:
    wanted = {"sqlite": SQLiteStore, "postgresql": PostgresStore}[
        request.config.getoption("--store")
    ]
    async with running(db_path) as system:
        assert isinstance(system.store, wanted)
        assert await system.engine.run(lambda tx: tx.ping())


def test_placeholders_are_numbered_in_order_for_postgresql() -> None:
    sql = "SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?"
    assert numbered(sql) == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4"
