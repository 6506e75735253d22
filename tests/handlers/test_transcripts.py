"""Golden transcripts: whole conversations through the console, in both languages.

A change in what the bot says shows up here as a diff. When the change is intended, rewrite
the files with `UPDATE_GOLDEN=1 python -m pytest tests/handlers/test_transcripts.py` and read
the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import ConsoleDriver, running

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "transcripts"

SCRIPTS = {
    "start_menu_id": ["halo", "1", "1", "4", "menu", "bantuan", "data saya", "5", "2"],
    "start_menu_en": ["Hello, I need some information", "2", "2", "help", "9", "language", "1"],
    "guidance_browse_id": ["halo", "1", "1", "2", "1", "1", "1", "2", "3", "4"],
    "guidance_browse_en": ["hi", "2", "1", "2", "7", "1", "2", "1"],
    "guidance_ask_id": [
        "halo",
        "1",
        "1",
        "brp biaya jadi TKW ke hongkong",
        "menu",
        "bisa kerja pakai visa umroh?",
    ],
    "guidance_ask_en": [
        "hello",
        "2",
        "1",
        "can I work in Saudi on an umrah visa?",
        "what does Kawan PMI do",
    ],
    "check_paste_report_id": [
        "halo",
        "1",
        "1",
        "1",
        "Info loker Malaysia kerja kilang gaji 6jt, brgkt pake visa turis dl ya, bayar DP 3jt ke rek pribadi",
        "1",
        "2",
        "Bu Sri",
    ],
    "check_paste_en": [
        "hello",
        "2",
        "1",
        "1",
        "Government to government program Korea EPS, register on SISKOP2MI, test EPS-TOPIK, work visa and contract signed before departure",
        "5",
    ],
    "check_guided_id": ["halo", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1"],
    "check_guided_en": ["hi", "2", "1", "1", "1", "2", "2", "2", "2", "2", "2", "2", "2"],
    "delete_my_data_id": ["halo", "1", "2", "hapus data saya", "2", "hapus data saya", "1", "halo"],
}


def render(lines: list[str], outputs: list[str]) -> str:
    parts = []
    for line, out in zip(lines, outputs, strict=True):
        parts.append(f"> {line}\n{out.rstrip()}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_transcript(db_path: Path, name: str) -> None:
    lines = SCRIPTS[name]
    async with running(db_path) as system:
        chat = ConsoleDriver(system, user=name)
        outputs = await chat.script(lines)
    actual = render(lines, outputs)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not os.environ.get("UPDATE_GOLDEN"):
            pytest.fail(f"wrote new golden file {path.name}; read it and run again")
    assert actual == path.read_text(encoding="utf-8")
