"""Pure work (the offer check) is done before the writer takes the message, off the loop."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bench.webhook import OFFERS
from bot.messages import Inbound
from bot.understanding import Intent, default_understander
from tests.helpers import running

# a long offer that is not also a cry for help (that one gets the emergency contacts first):
# the understanding step reads it as an offer
OFFER = next(
    o
    for o in OFFERS
    if len(o) >= 1000 and default_understander().understand(o, "id").intent == Intent.OFFER
)


def default_screener_check(text: str):
    from bot.screening import default_screener

    return default_screener().check(text, lang="id").flags


def msg(text: str, n: int, address: str = "siti") -> Inbound:
    return Inbound(channel="console", address=address, external_id=f"{address}-{n}", text=text)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch):
    """Every screener call: (method, lang, on the event loop's thread?)."""
    from bot.screening import default_screener

    screener = default_screener()
    seen: list[tuple[str, str | None, bool]] = []
    loop_thread = threading.get_ident()
    check, looks, if_offer = screener.check, screener.looks_like_offer, screener.check_if_offer

    def spy_check(text: str, lang: str | None = None):
        seen.append(("check", lang, threading.get_ident() == loop_thread))
        return check(text, lang=lang)

    def spy_looks(text: str) -> bool:
        seen.append(("looks_like_offer", None, threading.get_ident() == loop_thread))
        return looks(text)

    def spy_if_offer(text: str, lang: str | None = None):
        seen.append(("check_if_offer", lang, threading.get_ident() == loop_thread))
        return if_offer(text, lang=lang)

    monkeypatch.setattr(screener, "check", spy_check)
    monkeypatch.setattr(screener, "looks_like_offer", spy_looks)
    monkeypatch.setattr(screener, "check_if_offer", spy_if_offer)
    return seen


async def to_menu(system, address: str = "siti") -> int:
    for n, text in enumerate(["halo", "1", "1"]):  # Indonesian, consent: at the menu
        await system.engine.handle(msg(text, n, address))
    return 3


async def test_a_pasted_offer_is_checked_before_the_writer(db_path: Path, calls) -> None:
    async with running(db_path) as system:
        n = await to_menu(system)
        await system.engine.handle(msg("1", n))  # "Check a job offer": the paste step
        calls.clear()
        handled = await system.engine.handle(msg(OFFER, n + 1))
        assert "Risiko" in handled.replies[-1].text
        assert calls == [("check", "id", False)]  # once, in a worker thread


async def test_an_offer_typed_at_the_menu_is_recognised_and_checked_off_the_loop(
    db_path: Path, calls
) -> None:
    async with running(db_path) as system:
        n = await to_menu(system)
        calls.clear()
        handled = await system.engine.handle(msg(OFFER, n))
        assert "Risiko" in handled.replies[-1].text
        assert calls == [("check_if_offer", "id", False)]  # read once, in a worker thread


async def test_a_wrong_guess_of_the_language_still_answers_in_the_right_one(
    db_path: Path, calls
) -> None:
    async with running(db_path) as system:
        n = await to_menu(system)
        await system.engine.handle(msg("1", n))
        # the language changed behind the engine's back (another process): its hint says "id"
        contact = await system.engine.run(lambda tx: tx.contacts.find("console", "siti"))
        await system.engine.run(
            lambda tx: tx.sql.execute(
                "UPDATE contacts SET locale = 'en' WHERE id = ?", (contact.id,)
            )
        )
        calls.clear()
        handled = await system.engine.handle(msg(OFFER, n + 1))
        assert "Risk:" in handled.replies[-1].text  # English, as the contact now reads
        assert ("check", "en", True) in calls  # computed again, in the right language


async def test_short_messages_skip_the_worker_thread(db_path: Path, calls) -> None:
    async with running(db_path) as system:
        n = await to_menu(system)
        prepared = await system.engine.prepare(msg("menu", n))
        assert prepared is None


@pytest.fixture
def readings(monkeypatch: pytest.MonkeyPatch):
    """Every understanding of a message: (text length, on the event loop's thread?)."""
    from bot.understanding import Understander

    seen: list[tuple[int, bool]] = []
    loop_thread = threading.get_ident()
    understand = Understander.understand

    def spy(self, text: str, lang: str | None = None):
        seen.append((len(text), threading.get_ident() == loop_thread))
        return understand(self, text, lang)

    monkeypatch.setattr(Understander, "understand", spy)
    return seen


async def test_a_long_message_is_read_before_the_writer_and_only_once(
    db_path: Path, readings
) -> None:
    async with running(db_path) as system:
        n = await to_menu(system)
        readings.clear()
        handled = await system.engine.handle(msg(OFFER, n))
        assert "Risiko" in handled.replies[-1].text
        assert readings == [(len(OFFER), False)]  # in the worker thread, not again in the writer


async def test_a_short_word_is_read_by_the_writer_itself(db_path: Path, readings) -> None:
    async with running(db_path) as system:
        n = await to_menu(system)
        readings.clear()
        await system.engine.handle(msg("data saya", n))
        assert readings == [(len("data saya"), True)]


async def test_a_prepare_process_checks_offers_on_another_core(
    db_path: Path, tmp_path: Path, calls
) -> None:
    async def answer(db: Path, processes: int) -> tuple[str, int]:
        async with running(db, prepare_processes=processes) as system:
            n = await to_menu(system)
            await system.engine.handle(msg("1", n))
            calls.clear()
            handled = await system.engine.handle(msg(OFFER, n + 1))
            return handled.replies[-1].text, len(calls)

    in_process, here = await answer(db_path, 1)
    in_thread, _ = await answer(tmp_path / "thread.db", 0)
    assert in_process == in_thread  # the same answer to the letter
    assert "Risiko" in in_process
    assert here == 0  # but this process's screener was never asked


async def test_a_dead_prepare_process_costs_time_not_an_answer(db_path: Path, calls) -> None:
    import os
    import signal

    async with running(db_path, prepare_processes=1) as system:
        n = await to_menu(system)
        await system.engine.handle(msg("1", n))
        pool = system.engine._preparing._pool
        assert pool is not None
        for pid in list(pool._processes):  # the process dies (killed, out of memory)
            os.kill(pid, signal.SIGKILL)
        calls.clear()
        handled = await system.engine.handle(msg(OFFER, n + 1))
        assert "Risiko" in handled.replies[-1].text
        assert ("check", "id", True) in calls  # the step checked it itself
        await system.engine.handle(msg("menu", n + 2))
        await system.engine.handle(msg("1", n + 3))
        calls.clear()
        handled = await system.engine.handle(msg(OFFER, n + 4))
        assert "Risiko" in handled.replies[-1].text
        assert calls == []  # a new process took over


async def test_a_persons_messages_keep_their_order_when_one_is_prepared(db_path: Path) -> None:
    """A long message read before the writer must not be overtaken by the short one the same
    person sent right after it (both webhooks arrive at once)."""
    import asyncio

    async with running(db_path) as system:
        n = await to_menu(system)
        await system.engine.handle(msg("1", n))  # the paste step
        # the offer first, then "menu" a moment later, before the offer's check is done
        offer, menu = await asyncio.gather(
            system.engine.handle(msg(OFFER, n + 1)), system.engine.handle(msg("menu", n + 2))
        )
        assert "Risiko" in offer.replies[-1].text
        rows = await system.engine.run(
            lambda tx: tx.sql.fetch(
                "SELECT payload FROM outbox WHERE address = 'siti' ORDER BY id", ()
            )
        )
        sent = [row[0] for row in rows]
        # the check's answer, then the menu: handled in the order they came
        assert "Risiko" in sent[-2] and "Risiko" not in sent[-1], sent[-2:]
        assert menu.replies[-1].text in sent[-1]


async def test_a_reports_story_is_checked_before_the_writer_and_not_again_when_sent(
    db_path: Path, calls
) -> None:
    from tests.helpers import add_volunteers

    story = "Ada sponsor datang ke rumah minta DP 5 juta untuk kerja di Taiwan pakai visa turis"
    steps = [
        "3",
        "2",
        story,
        "Bu Sri",
        "0812 3456 7890",
        "Indramayu",
        "1",
        "2",
        "1",
        "0813 0000 1111",
    ]
    steps.append("1")  # send it
    async with running(db_path) as system:
        await add_volunteers(system)
        n = await to_menu(system)
        for i, text in enumerate(steps):
            if text == story:
                calls.clear()
            handled = await system.engine.handle(msg(text, n + i))
            if text == story:
                assert calls == [("check", "id", False)]  # in a worker thread, once
                calls.clear()
        # sent: a case with the story's warning signs, and no check in the writer
        assert any("MA-" in r.text for r in handled.replies)
        assert not any(name == "check" for name, _, _ in calls)

        async def flags(tx):
            rows = await tx.sql.fetch("SELECT code FROM case_flags", ())
            return {r[0] for r in rows}

        kept = await system.engine.run(flags)
    expected = {f.code for f in default_screener_check(story)}
    assert expected and kept == expected
