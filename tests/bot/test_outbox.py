from __future__ import annotations

import asyncio
import itertools
import random
import time
from contextlib import asynccontextmanager
from pathlib import Path

from bot.clock import SystemClock
from bot.events import DeliveryFailed
from bot.messages import Inbound, Reply
from bot.outbox import Dispatcher, Limits, RetryScope, SendError
from storage.outbox import NewMessage
from storage.repos.outbox import SQLOutbox
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


# --- the continuous scheduler, on the real clock -----------------------------------------------
# Small real-time runs: the limits are scaled up so that each takes well under two seconds.


async def put(system, rows: list[tuple[str, str]], channel: str = "console") -> None:
    now = system.services.clock.now()

    async def add(tx):
        await tx.outbox.add_many(
            [NewMessage(None, channel, address, "id", Reply(text)) for address, text in rows], now
        )

    await system.engine.run(add)
    system.engine.notify({channel})


async def until(check, timeout: float = 5.0) -> float:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, "timed out"
        await asyncio.sleep(0.005)
    return time.monotonic() - start


@asynccontextmanager
async def dispatching(system, sender, limits: Limits):
    dispatcher = Dispatcher(system.engine, sender, limits)
    await dispatcher.start()
    try:
        yield dispatcher
    finally:
        await dispatcher.stop()


async def test_stopping_as_a_wake_up_arrives_still_stops(db_path: Path) -> None:
    # The stop that hung CI: the dispatcher idle, woken by a commit in the same moment it is
    # told to stop. Each number of loop turns between the two hits a different step of the
    # wake-up; every one of them must end the dispatcher, and quickly.
    async with running(db_path) as system:
        for turns in range(6):
            dispatcher = Dispatcher(system.engine, RecordingSender(), FAST)
            await dispatcher.start()
            await asyncio.sleep(0.05)  # loaded, nothing to send: waiting to be woken
            dispatcher.wake({"console"})
            for _ in range(turns):
                await asyncio.sleep(0)
            start = time.monotonic()
            async with asyncio.timeout(2.0):
                await dispatcher.stop()
            assert time.monotonic() - start < 1.0, f"stop took long after {turns} turns"


def peak(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_one_busy_chat_does_not_hold_back_the_others_or_a_new_person(
    db_path: Path,
) -> None:
    limits = Limits(overall_per_second=100, per_chat_per_second=5, per_chat_burst=1)
    async with running(db_path, clock=SystemClock()) as system:
        sender = RecordingSender()
        await put(system, [("busy", f"busy {i}") for i in range(200)])
        others = [f"p{i}" for i in range(30)]
        await put(system, [(a, f"{a} {k}") for k in range(2) for a in others])
        started = time.monotonic()
        async with dispatching(system, sender, limits):
            await until(lambda: len(sender.calls) >= 10)  # the backlog is being served
            await system.engine.handle(Inbound("console", "newcomer", "n-1", text="halo"))
            # counted once the reply is written: what the engine took to write it (over 100 ms
            # on a loaded machine, ten sends at 100/s) is no delay of the dispatcher's
            before = len(sender.calls)
            await until(lambda: any(m.address == "newcomer" for m in sender.sent))
            await until(lambda: sum(m.address in others for m in sender.sent) == 60)
            elapsed = time.monotonic() - started
        first = next(i for i, c in enumerate(sender.calls) if sender.sent_ids[c[0]] == "newcomer")
        busy = sum(m.address == "busy" for m in sender.sent)
    # The newcomer's first reply went ahead of the backlog: only sends already starting (the
    # scheduler starts one a moment before its slot) went out between its reply's commit and
    # it. Behind the others it would wait for some 50 of their messages.
    assert first - before <= 8
    # The 30 others were served at the bot's rate (60 messages at 100/s: 0.6 s; a loaded CI
    # machine has taken over 3 s), the busy chat only at its own 5/s. Queued behind the busy
    # chat they would wait for its 200 rows at 5/s, 40 s: 10 s still tells the two apart.
    assert elapsed < 10.0
    assert busy <= 5 * elapsed + 1
    for address in others:  # each chat's messages in order
        texts = [m.reply.text for m in sender.sent if m.address == address]
        assert texts == [f"{address} 0", f"{address} 1"]


async def test_a_commit_loads_what_it_added_not_the_whole_backlog(
    db_path: Path, monkeypatch
) -> None:
    # Ten chats have 30 rows each waiting for their per-chat limit. Each commit used to read
    # (and parse) every loaded row again, so under load every commit cost as much as the
    # backlog.
    loaded: list[int] = []

    def counting(read):
        async def counted(self, *args, **kwargs):
            rows = await read(self, *args, **kwargs)
            loaded.append(len(rows))
            return rows

        return counted

    limits = Limits(overall_per_second=50, per_chat_per_second=0.5, per_chat_burst=1)
    async with running(db_path, clock=SystemClock()) as system:
        sender = RecordingSender()
        await put(system, [(f"busy{i}", f"old {k}") for k in range(30) for i in range(10)])
        async with dispatching(system, sender, limits):
            await until(lambda: len(sender.sent) >= 10)  # each busy chat now waits 2 s
            monkeypatch.setattr(SQLOutbox, "due", counting(SQLOutbox.due))
            monkeypatch.setattr(SQLOutbox, "new_since", counting(SQLOutbox.new_since))
            for i in range(10):
                await put(system, [(f"new{i}", "halo")])
                await asyncio.sleep(0.01)
            await until(lambda: sum(m.address.startswith("new") for m in sender.sent) == 10)
    assert sum(loaded) == 10, loaded  # each commit's one row, once


async def test_a_row_not_yet_due_when_first_read_goes_once_due_without_a_full_load(
    db_path: Path,
) -> None:
    # A row read before its time must be read again by the next load, not left for the
    # full load every `idle` seconds (the writer's batch stamps rows with its own time, which
    # can be a moment after the time the load was asked for).
    clock = ManualClock()
    async with running(db_path, clock=clock) as system:
        sender = RecordingSender()
        async with dispatching(system, sender, FAST):
            await asyncio.sleep(0.05)  # the first, full, load is done
            now = clock.now()

            async def later(tx):
                await tx.outbox.add_many(
                    [
                        NewMessage(
                            None, "console", "later", "id", Reply("nanti"), not_before=now + 1
                        )
                    ],
                    now,
                )

            await system.engine.run(later)
            system.engine.notify({"console"})
            await asyncio.sleep(0.1)
            assert sender.sent == []  # not before its time
            clock.advance(2)
            await put(system, [("other", "halo")])  # any commit wakes the dispatcher
            await until(lambda: len(sender.sent) == 2, timeout=2.0)  # the full load is 5 s away
    assert sorted(m.reply.text for m in sender.sent) == ["halo", "nanti"]


async def test_rows_added_during_a_backlog_and_a_retry_still_go_in_order(db_path: Path) -> None:
    limits = Limits(
        overall_per_second=200, per_chat_per_second=50, per_chat_burst=1, backoff_base=0.05
    )
    async with running(db_path, clock=SystemClock()) as system:
        # the first call fails: "busy" waits for a retry while its later rows keep coming
        sender = RecordingSender(failures=[SendError("502")])
        await put(system, [("busy", f"busy {k}") for k in range(8)])
        async with dispatching(system, sender, limits):
            await until(lambda: sender.attempts)  # "busy 0" failed: its retry is waiting
            for k in range(8, 20):
                await put(system, [("busy", f"busy {k}"), (f"p{k}", f"p{k} 0")])
                await put(system, [(f"p{k}", f"p{k} 1")])
                await asyncio.sleep(0.01)
            await until(lambda: len(sender.sent) == 20 + 24, timeout=10.0)
        assert await statuses(system) == [("sent", 2)] + [("sent", 1)] * 43
    texts = [m.reply.text for m in sender.sent if m.address == "busy"]
    assert texts == [f"busy {k}" for k in range(20)]
    for k in range(8, 20):
        assert [m.reply.text for m in sender.sent if m.address == f"p{k}"] == [
            f"p{k} 0",
            f"p{k} 1",
        ]


async def test_every_part_of_a_split_reply_counts_against_both_limits(db_path: Path) -> None:
    limits = Limits(overall_per_second=40, per_chat_per_second=10, per_chat_burst=1)
    async with running(db_path, clock=SystemClock()) as system:
        sender = RecordingSender(parts=3)
        await put(system, [(f"c{i}", f"reply {i}") for i in range(16)])
        async with dispatching(system, sender, limits):
            await until(lambda: len(sender.sent) == 16)
    starts = [at for _id, _part, at in sender.calls]
    assert len(starts) == 48  # every part went out once
    assert peak(starts, 1.0) <= 40  # the bot's limit, counting parts
    assert peak(starts, 0.25) <= 40 * 0.25 + 3  # evenly spaced (a late one may catch up 2)
    by_chat: dict[int, list[float]] = {}
    for message_id, _part, at in sender.calls:
        by_chat.setdefault(message_id, []).append(at)
    for times in by_chat.values():
        assert all(b - a >= 0.1 for a, b in itertools.pairwise(times))


async def test_a_send_that_hangs_does_not_delay_anyone_else(db_path: Path) -> None:
    limits = Limits(
        overall_per_second=1000, per_chat_per_second=1000, per_chat_burst=1000,
        send_timeout=1.0, backoff_base=0.1,
    )  # fmt: skip
    async with running(db_path, clock=SystemClock()) as system:
        sender = RecordingSender(hang_calls={0})  # the first call hangs
        await put(system, [("stuck", "first"), ("stuck", "second")])
        async with dispatching(system, sender, limits):
            await until(lambda: len(sender.calls) == 1)
            hung = time.monotonic()
            await put(system, [(f"c{i}", "hello") for i in range(20)])
            await until(lambda: sum(m.address != "stuck" for m in sender.sent) == 20)
            others = time.monotonic() - hung
            await until(lambda: sum(m.address == "stuck" for m in sender.sent) == 2)
            stuck = time.monotonic() - hung
    assert others < 0.8  # while the first send hung
    assert stuck > 1.0  # the stuck chat waited for its timeout, then went on in order
    assert [m.reply.text for m in sender.sent if m.address == "stuck"] == ["first", "second"]


async def test_a_429_for_the_whole_bot_holds_every_chat_back(db_path: Path) -> None:
    limits = Limits(overall_per_second=1000, per_chat_per_second=1000, per_chat_burst=1000)
    async with running(db_path, clock=SystemClock()) as system:
        sender = RecordingSender(failures=[SendError("429", retry_after=0.4, scope=RetryScope.BOT)])
        await put(system, [("first", "hello")])
        async with dispatching(system, sender, limits):
            await until(lambda: len(sender.attempts) == 1)
            failed = time.monotonic()
            await asyncio.sleep(0.05)
            await put(system, [(f"c{i}", "hello") for i in range(5)])
            await until(lambda: len(sender.sent) == 6)
    assert all(at - failed >= 0.35 for _id, _part, at in sender.calls[1:])


async def test_a_telegram_style_429_after_a_send_to_the_chat_holds_back_only_that_chat(
    db_path: Path,
) -> None:
    # No scope given: the chat had a message just before, so it was the chat's own limit.
    limits = Limits(overall_per_second=1000, per_chat_per_second=1, per_chat_burst=5)
    async with running(db_path, clock=SystemClock()) as system:
        sender = RecordingSender()
        await put(system, [("hot", "one")])
        async with dispatching(system, sender, limits):
            await until(lambda: len(sender.sent) == 1)
            sender.failures.append(SendError("429", retry_after=1.0))
            await put(system, [("hot", "two")])
            await until(lambda: len(sender.attempts) == 2)
            failed_at = time.monotonic()
            await put(system, [(f"c{i}", "hello") for i in range(5)])
            others = await until(lambda: len(sender.sent) == 6)
            await until(lambda: len(sender.sent) == 7)
            hot = time.monotonic() - failed_at
    assert others < 0.8  # the others were not held back
    assert hot >= 0.95  # the chat waited its retry_after
    assert [m.reply.text for m in sender.sent if m.address == "hot"] == ["one", "two"]


async def test_parts_already_sent_are_not_repeated_after_a_crash(db_path: Path) -> None:
    limits = Limits(overall_per_second=1000, per_chat_per_second=1000, per_chat_burst=1000)
    async with running(db_path, clock=SystemClock()) as system:
        await put(system, [("siti", "part one|part two|part three")])
        # The process "dies" while the second part is in flight.
        crashing = RecordingSender(hang_calls={1})
        async with dispatching(system, crashing, limits):
            await until(lambda: len(crashing.calls) == 2)
            await asyncio.sleep(0.05)
    assert crashing.delivered == [("siti", 0)]
    async with running(db_path, clock=SystemClock()) as system:
        after = RecordingSender()
        await Dispatcher(system.engine, after, limits).run_once()
        assert after.delivered == [("siti", 1), ("siti", 2)]  # only what was in flight again
        assert await statuses(system) == [("sent", 1)]


async def test_at_30_percent_failures_nothing_is_lost_and_p90_delay_is_one_retry(
    db_path: Path,
) -> None:
    # The default backoff (1, 2, 4 … s) scaled down 10×: p90 < 30 s becomes p90 < 3 s.
    scale = 10
    defaults = Limits()
    limits = Limits(
        overall_per_second=2000, per_chat_per_second=2000, per_chat_burst=2000,
        backoff_base=defaults.backoff_base / scale, backoff_max=defaults.backoff_max / scale,
    )  # fmt: skip
    rng = random.Random(30)

    class Flaky(RecordingSender):
        async def send(self, message, attempt=None):
            if rng.random() < 0.3:
                async with attempt.call():
                    raise SendError("502 Bad Gateway")
            return await super().send(message, attempt)

    async with running(db_path, clock=SystemClock()) as system:
        sender = Flaky()
        queued = time.monotonic()
        await put(system, [(f"c{i % 100}", f"m{i}") for i in range(200)])
        delivered_at: dict[str, float] = {}

        async with dispatching(system, sender, limits):

            def all_sent() -> bool:
                for m in sender.sent:
                    delivered_at.setdefault(m.reply.text, time.monotonic())
                return len(delivered_at) == 200

            await until(all_sent, timeout=20)
    assert sorted(delivered_at) == sorted(f"m{i}" for i in range(200))  # nothing lost
    assert len(sender.sent) == 200  # nothing twice
    delays = sorted(at - queued for at in delivered_at.values())
    assert delays[int(len(delays) * 0.9)] < 30 / scale


def test_the_window_counts_a_slow_call_where_it_may_have_arrived() -> None:
    """Three calls a second at most, by when the platform saw them. A call still in flight
    is taken to have arrived `transit` after it started (a hung one must not hold everyone
    back); one that is over may have arrived as late as its end, whatever `transit` says: on a
    busy machine it can leave this process late."""
    from bot.outbox import RateLimiter

    now = [0.0]
    limiter = RateLimiter(3.0, burst=3.0, clock=lambda: now[0], window=1.0, transit=0.1)
    starts = [limiter.take(0.0) for _ in range(3)]
    now[0] = 0.5
    assert limiter.ready_at() == 1.1  # all three in flight: taken as arrived by 0.1
    for start in starts[:2]:
        limiter.end(start)  # over at 0.5, sooner than the bound no more: they count at 0.5
    assert limiter.ready_at() == 1.1  # the one still in flight decides
    now[0] = 0.8
    limiter.end(starts[2])  # over at 0.8: it may have arrived then
    assert limiter.ready_at() == 1.5  # the third latest arrival (0.5) + 1 s
