"""Bad input gets a clear answer in the person's language, and nothing breaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.messages import Inbound
from tests.helpers import ConsoleDriver, running


async def at_menu(system, lang: str) -> ConsoleDriver:
    chat = ConsoleDriver(system, user=f"user-{lang}")
    await chat.send("halo")
    await chat.send("1" if lang == "id" else "2")
    await chat.send("1")  # consent
    return chat


@pytest.mark.parametrize(
    ("lang", "line", "expected"),
    [
        ("id", "", "Pesan Anda kosong"),
        ("en", "", "I received an empty message"),
        ("id", "   ", "Pesan Anda kosong"),
        ("id", "9", "pilih angka 1 sampai 5"),
        ("en", "42", "choose a number from 1 to 5"),
        ("id", "😀😀😀", "Maaf, saya belum mengerti"),
        ("en", "🙏", "You are welcome"),  # thanks: a short answer and the menu (issue 14)
        ("id", "\x00\x07\x1b[31m", "Pesan Anda kosong"),
        ("en", "これは何ですか", "Sorry, I did not understand"),
        ("id", "مرحبا كيف حالك", "Maaf, saya belum mengerti"),
        ("en", "-1", "Sorry, I did not understand"),
    ],
)
async def test_bad_input_gets_a_clear_answer(
    db_path: Path, lang: str, line: str, expected: str
) -> None:
    async with running(db_path) as system:
        chat = await at_menu(system, lang)
        out = await chat.send(line)
        assert expected.lower() in out.lower()
        # and the menu still works afterwards
        assert ("Kontak darurat" if lang == "id" else "Emergency contacts") in out
        after = await chat.send("4")  # emergency: asks where, with the line that works anywhere
        assert "+62 812-9007-0027" in after and "Indonesia" in after


async def test_twenty_thousand_characters_do_not_break_anything(db_path: Path) -> None:
    async with running(db_path) as system:
        chat = await at_menu(system, "id")
        out = await chat.send("a" * 20_000)
        # The menu's own answer to text it does not understand, not the engine's apology for
        # a handler that raised (which also ends with the menu).
        assert out.startswith("Maaf, saya belum mengerti. Silakan pilih salah satu:")
        assert "Maaf, ada gangguan di sistem kami" not in out
        assert "4. Kontak darurat" in out
        assert len(out) < 1_000
        after = await chat.send("4")  # and the conversation goes on: emergency asks where
        assert "+62 812-9007-0027" in after and "Di Indonesia" in after


async def test_a_picture_gets_please_type_it(db_path: Path) -> None:
    async with running(db_path) as system:
        await at_menu(system, "en")
        result = await system.engine.handle(
            Inbound(channel="console", address="user-en", external_id="photo-1", media="photo")
        )
        assert "I can only read text messages" in result.replies[0].text
