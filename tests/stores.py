"""Running the whole suite on either store: `pytest --store postgresql` (or MIGRASI_TEST_STORE).

On PostgreSQL a throwaway cluster is started once per session from the machine's server
packages (scripts/pg_throwaway.py; or MIGRASI_TEST_DATABASE_URL names a server to use), a
template database is migrated once, and every SQLite file a test would open becomes its own
fresh database cloned from the template, dropped when the test ends. Tests that open
`SQLiteStore` by name, or pass a file to a subprocess, stay on SQLite by design.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import storage

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "migrasi_template"
_numbers = itertools.count(1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("MIGRASI_TEST_STORE", "sqlite"),
        help="which store the system runs on in tests (default sqlite)",
    )


def _psql(url: str, sql: str) -> None:
    subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
        check=True, capture_output=True, text=True,
    )  # fmt: skip


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL server URL (its `postgres` database) for the session."""
    given = os.environ.get("MIGRASI_TEST_DATABASE_URL")
    if given:
        yield given
        return
    sys.path.insert(0, str(ROOT / "scripts"))
    from pg_throwaway import Cluster, binaries

    if binaries() is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    with tempfile.TemporaryDirectory(prefix="migrasi-pg-") as tmp:
        os.chmod(tmp, 0o755)
        with Cluster(tmp) as url:
            yield url


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> str:
    """A database migrated to the latest schema, cloned for each test."""
    from storage.postgres import migrate

    _psql(pg_server, f"DROP DATABASE IF EXISTS {TEMPLATE}")
    _psql(pg_server, f"CREATE DATABASE {TEMPLATE}")

    async def run() -> None:
        import asyncpg

        conn = await asyncpg.connect(_with_db(pg_server, TEMPLATE))
        try:
            await migrate(conn)
        finally:
            await conn.close()

    # In a thread of its own: the fixture may first be asked for from inside a running loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()
    return TEMPLATE


@pytest.fixture
def fresh_pg_database(pg_server: str, pg_template: str) -> Iterator[callable]:
    """A function giving a new empty (migrated) database URL each call; dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        name = f"t{os.getpid()}_{next(_numbers)}"
        _psql(pg_server, f"CREATE DATABASE {name} TEMPLATE {pg_template}")
        made.append(name)
        return _with_db(pg_server, name)

    yield make
    for name in made:
        _psql(pg_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(autouse=True)
def _store_under_test(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.config.getoption("--store") != "postgresql":
        return
    if request.node.get_closest_marker("sqlite_only"):
        return
    make = request.getfixturevalue("fresh_pg_database")
    original = storage.open_store
    databases: dict[str, str] = {}

    def open_store(database: Path | str, **kwargs: object) -> storage.Store:
        if storage.is_url(database):
            return original(database, **kwargs)
        key = str(Path(database).resolve()) if str(database) != ":memory:" else ":memory:"
        if key not in databases or key == ":memory:":
            databases[key] = make()
        return original(databases[key], **kwargs)

    for module in list(sys.modules.values()):
        if getattr(module, "open_store", None) is original:
            monkeypatch.setattr(module, "open_store", open_store)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: the test is about SQLite itself (files, pragmas, WAL)"
    )
