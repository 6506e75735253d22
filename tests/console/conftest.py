from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.console.helpers import Seeded, seed
from tests.fakes.clock import ManualClock


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    """Seeded once per run (two chat reports take a second or two); each test gets a copy."""
    path = tmp_path_factory.mktemp("console-seed") / "seed.db"
    seeded = asyncio.run(seed(path, ManualClock()))
    return path, seeded


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()  # the same start as the template's clock


@pytest.fixture
def seeded(seeded_template: tuple[Path, Seeded], db_path: Path) -> Seeded:
    template, numbers = seeded_template
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(template) + suffix)
        if source.exists():
            shutil.copy(source, str(db_path) + suffix)
    return numbers
