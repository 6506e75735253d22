from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = [
    "tests.hangs",
    "tests.stores",
    "tests.fakes.telegram",
    "tests.fakes.twilio",
    "tests.channels.telegram_helpers",
]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"
