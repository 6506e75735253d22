from __future__ import annotations

from pathlib import Path

from bot.events import DeliveryFailed
from bot.messages import Inbound, Reply
from bot.outbox import Dispatcher, Limits, SendError
from storage.outbox import NewMessage
from tests.fakes.clock import ManualClock
from tests.fakes.sender import RecordingSender
from tests.helpers import running

FAST = Limits(overall_per_second=1000, per_chat_per_second=1000, per_chat_burst=1000)


async def statuses(system) -> list[tuple[str, int]]:
    async def read(tx):
        rows = await tx.sql.fetch("SELECT status, attempts FROM outbox ORDER BY id")
        return [(r[0], r[1]) for r in rows]

    return await system.engine.run(read)


async def queue(system, address: str, texts: list[str]) -> int:
    result = await system.engine.handle(
        Inbound("console", address, f"{address}-hello", text="halo")
    )
    now = system.services.clock.now()

    async def add(tx):
        await tx.outbox.add_many(
            [NewMessage(result.contact_id, "console", address, "id", Reply(t)) for t in texts],
            now,
        )

    await system.engine.run(add)
    return result.contact_id


async def test_a_crash_between_writing_and_sending_loses_nothing(db_path: Path) -> None:
    async with running(db_path) as system:
        await system.engine.handle(Inbound("console", "siti", "1", text="halo"))
    # the process died before any send: the rows are still pending after a restart
    async with running(db_path) as system:
        sender = RecordingSender()
        assert await Dispatcher(system.engine, sender, FAST).run_once() == 1
        assert "Migrasi Aman" in sender.sent[0].reply.text
        assert await Dispatcher(system.engine, sender, FAST).run_once() == 0  # sent once only


async def test_network_errors_back_off_and_then_succeed(db_path: Path) -> None:
    clock = ManualClock()
    async with running(db_path, clock=clock) as system:
        sender = RecordingSender(failures=[SendError("timeout"), SendError("502")])
        dispatcher = Dispatcher(system.engine, sender, FAST)
        await system.engine.handle(Inbound("console", "siti", "1", text="halo"))
        await dispatcher.run_once()
        assert sender.sent == [] and await statuses(system) == [("pending", 1)]
        await dispatcher.run_once()  # not due yet: backing off
        assert len(sender.attempts) == 1
        clock.advance(3)
        await dispatcher.run_once()
        clock.advance(10)
        await dispatcher.run_once()
        assert len(sender.sent) == 1 and await statuses(system) == [("sent", 3)]


async def test_retry_after_is_honoured(db_path: Path) -> None:
    clock = ManualClock()
    async with running(db_path, clock=clock) as system:
        sender = RecordingSender(failures=[SendError("429", retry_after=30)])
        dispatcher = Dispatcher(system.engine, sender, FAST)
        await system.engine.handle(Inbound("console", "siti", "1", text="halo"))
        await dispatcher.run_once()
        clock.advance(29)
        await dispatcher.run_once()
        assert sender.sent == []
        clock.advance(2)
        await dispatcher.run_once()
        assert len(sender.sent) == 1


async def test_a_blocked_recipient_is_marked_unreachable_and_nothing_more_is_sent(
    db_path: Path,
) -> None:
    async with running(db_path) as system:
        contact_id = await queue(system, "siti", ["two", "three"])
        sender = RecordingSender(
            failures=[SendError("Forbidden: bot was blocked by the user", blocked=True)]
        )
        await Dispatcher(system.engine, sender, FAST).run_once()
        assert sender.sent == []
        assert [s for s, _ in await statuses(system)] == ["failed", "dropped", "dropped"]
        contact = await system.engine.run(lambda tx: tx.contacts.get(contact_id))
        assert contact.unreachable_at is not None


async def test_a_persons_messages_keep_their_order_when_one_fails(db_path: Path) -> None:
    clock = ManualClock()
    async with running(db_path, clock=clock) as system:
        await queue(system, "siti", ["second", "third"])
        sender = RecordingSender(failures=[SendError("timeout")])
        dispatcher = Dispatcher(system.engine, sender, FAST)
        await dispatcher.run_once()
        assert sender.sent == []  # the later ones waited for the first
        clock.advance(5)
        await dispatcher.run_once()
        assert [m.reply.text for m in sender.sent][1:] == ["second", "third"]


async def test_permanent_errors_stop_retrying_and_emit_delivery_failed(
    db_path: Path,
) -> None:
    async with running(db_path) as system:
        failed = []

        @system.router.events.on(DeliveryFailed)
        async def listener(event: DeliveryFailed) -> None:
            failed.append(event.message.id)

        sender = RecordingSender(failures=[SendError("63016 outside window", permanent=True)])
        await system.engine.handle(Inbound("console", "siti", "1", text="halo"))
        await Dispatcher(system.engine, sender, FAST).run_once()
        assert await statuses(system) == [("failed", 1)]
        assert len(failed) == 1
