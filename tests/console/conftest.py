from __future__ import annotations

import asyncio
import concurrent.futures
import shutil
from pathlib import Path

import pytest

from tests.console.helpers import Seeded, seed
from tests.fakes.clock import ManualClock


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    """Seeded once per run (two chat reports take a second or two); each test gets a copy."""
    path = tmp_path_factory.mktemp("console-seed") / "seed.db"
    seeded = _in_thread(seed(path, ManualClock()))
    return path, seeded


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()  # the same start as the template's clock


def _in_thread(coro):
    # a fixture may be asked for from inside a running loop
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture
def seeded(request: pytest.FixtureRequest, db_path: Path) -> Seeded:
    if request.config.getoption("--store") == "postgresql":
        # each test's "file" is a fresh PostgreSQL database (tests/stores.py): seed it
        return _in_thread(seed(db_path, ManualClock()))
    template, numbers = request.getfixturevalue("seeded_template")
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(template) + suffix)
        if source.exists():
            shutil.copy(source, str(db_path) + suffix)
    return numbers
