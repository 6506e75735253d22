from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.conversation import Context, Flow
from bot.messages import Inbound
from tests.helpers import ConsoleDriver, running


def msg(address: str, text: str, external_id: str, channel: str = "console") -> Inbound:
    return Inbound(channel=channel, address=address, external_id=external_id, text=text)


async def outbox_rows(system) -> list[tuple[str, str]]:
    async def read(tx) -> list[tuple[str, str]]:
        rows = await tx.sql.fetch("SELECT address, payload FROM outbox ORDER BY id")
        return [(row[0], row[1]) for row in rows]

    return await system.engine.run(read)


async def test_the_same_inbound_id_twice_is_handled_once(db_path: Path) -> None:
    async with running(db_path) as system:
        first = await system.engine.handle(msg("siti", "halo", "update-1"))
        again = await system.engine.handle(msg("siti", "halo", "update-1"))
        assert not first.duplicate and first.replies
        assert again.duplicate and not again.replies
        assert len(await outbox_rows(system)) == len(first.replies)


async def test_duplicates_inside_one_batch_are_dropped_too(db_path: Path) -> None:
    async with running(db_path) as system:
        results = await asyncio.gather(
            *(system.engine.handle(msg("siti", "halo", "same")) for _ in range(5))
        )
        assert sum(not r.duplicate for r in results) == 1


async def test_a_conversation_continues_after_a_restart(db_path: Path) -> None:
    async with running(db_path) as system:
        chat = ConsoleDriver(system)
        await chat.send("halo")
        await chat.send("2")  # English
    # a new process on the same file
    async with running(db_path) as system:
        chat = ConsoleDriver(system)
        out = await chat.send("1")  # the consent question is still open: "Yes, I agree"
        assert "What would you like to do?" in out


async def test_each_of_many_concurrent_people_gets_their_own_answers(db_path: Path) -> None:
    async with running(db_path) as system:
        people = [f"user{i}" for i in range(60)]
        await asyncio.gather(*(system.engine.handle(msg(p, "hello", f"{p}-1")) for p in people))
        await asyncio.gather(*(system.engine.handle(msg(p, "2", f"{p}-2")) for p in people))
        for p in people[:5]:
            contact = await system.engine.run(lambda tx, p=p: tx.contacts.find("console", p))
            assert contact is not None and contact.locale == "en"
        rows = await outbox_rows(system)
        assert {a for a, _ in rows} == set(people)


async def test_a_failing_handler_loses_nothing_else_and_apologises(db_path: Path) -> None:
    async with running(db_path) as system:
        broken = Flow("broken")

        @broken.step("start")
        async def explode(ctx: Context) -> None:
            ctx.say("half an answer that must not be sent")
            raise RuntimeError("boom")

        system.services.router.include(broken)
        await system.engine.handle(msg("siti", "halo", "a1"))
        await system.engine.handle(msg("siti", "2", "a2"))
        await system.engine.handle(msg("siti", "1", "a3"))
        contact = await system.engine.run(lambda tx: tx.contacts.find("console", "siti"))
        await system.engine.run(
            lambda tx: tx.sql.execute(
                "UPDATE conversations SET flow = 'broken', step = 'start' WHERE contact_id = ?",
                (contact.id,),
            )
        )

        results = await asyncio.gather(
            system.engine.handle(msg("siti", "anything", "a4")),
            system.engine.handle(msg("budi", "hello", "b1")),
        )
        assert not results[1].duplicate and results[1].replies  # the other person is unaffected
        payloads = " ".join(p for _, p in await outbox_rows(system))
        assert "half an answer" not in payloads
        assert "Sorry, something went wrong" in payloads
        # the failed message counts as handled: a webhook retry does not loop on it
        assert (await system.engine.handle(msg("siti", "anything", "a4"))).duplicate


async def test_run_executes_inside_the_writer(db_path: Path) -> None:
    async with running(db_path) as system:

        async def count(tx) -> int:
            return await tx.sql.fetchval("SELECT COUNT(*) FROM contacts")

        assert await system.engine.run(count) == 0
        with pytest.raises(ZeroDivisionError):

            async def bad(tx) -> None:
                raise ZeroDivisionError

            await system.engine.run(bad)
        assert await system.engine.run(count) == 0  # still working
