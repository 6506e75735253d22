"""The guided check through the console: typed answers ("ya", "gk ada", chat spellings)
instead of numbers, going back one question, and each piece of advice said once (issue #15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.screening import default_screener
from tests.helpers import ConsoleDriver, running


@pytest.mark.parametrize(
    ("question", "typed", "key"),
    [
        ("contract", "ya", "signed"),
        ("contract", "iya sudah", "signed"),
        ("contract", "gk ada", "none"),
        ("contract", "tdk paham isinya", "foreign"),
        ("paid", "gak", "nothing"),
        ("paid", "ke calo", "person"),
        ("paid", "dipotong gaji nanti", "deduction"),
        ("passport", "dipegang majikan saya", "employer"),
        ("country", "gk tau", "unknown"),
        ("country", "malaysia", "asean"),
        ("visa", "pake visa turis", "tourist"),
        ("contract", "yes", "signed"),
        ("paid", "to a broker", "person"),
        ("source", "my neighbour", "relative"),
    ],
)
def test_typed_answer_means_an_option(question: str, typed: str, key: str) -> None:
    assert default_screener().guided_answer(question, typed) == key


@pytest.mark.parametrize(("question", "typed"), [("route", "iya"), ("paid", "hmm"), ("job", "")])
def test_unclear_typed_answer_is_asked_again(question: str, typed: str) -> None:
    assert default_screener().guided_answer(question, typed) is None


async def test_guided_check_by_typing_and_going_back(db_path: Path) -> None:
    async with running(db_path) as system:
        chat = ConsoleDriver(system, user="guided-typed")
        out = await chat.script(["halo", "1", "1", "1", "1", "Arab Saudi", "sebelumnya"])
        assert "Pertanyaan 2 dari 8" in out[-2]
        assert "Pertanyaan 1 dari 8" in out[-1]  # back one question
        out = await chat.script(
            ["kamboja", "admin online", "gk tau", "ke calo", "majikan", "gk ada", "gk", "sponsor"]
        )
    result = out[-1]
    assert "TINGGI" in result  # HIGH
    # several signs share advice: no advice line appears twice
    advice = [line for line in result.splitlines() if line.startswith("Yang perlu dilakukan")]
    assert advice and len(advice) == len(set(advice))


def test_shared_advice_is_said_once() -> None:
    from bot.screening import Flag, Screening
    from handlers.check import describe

    same = "Keep copies of every message. Do not pay anything."
    result = Screening(
        "high",
        0.9,
        "en",
        (
            Flag("withheld_wages", "gaji", "Unpaid.", same),
            Flag("isolation", "HP", "Cut off.", same),
        ),
        (),
    )
    text = describe(result)
    assert text.count("Keep copies of every message.") == 1
    assert text.count("Do not pay anything.") == 1
    assert "Unpaid." in text and "Cut off." in text  # every sign is still explained
