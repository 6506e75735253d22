"""The Store/Tx contract, written against the interface so that another store (PostgreSQL)
can run the same tests: add it to STORES."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.messages import Choice, Reply
from storage import Store
from storage.contacts import State
from storage.outbox import NewMessage
from storage.postgres import PostgresStore
from storage.sqlite import SQLiteStore

STORES: dict[str, Callable[[pytest.FixtureRequest, Path], Store]] = {
    "sqlite": lambda request, tmp: SQLiteStore(tmp / "s.db"),
    # a fresh database on the session's throwaway cluster (tests/stores.py)
    "postgresql": lambda request, tmp: PostgresStore(
        request.getfixturevalue("fresh_pg_database")()
    ),
}


@pytest.fixture(params=sorted(STORES))
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with STORES[request.param](request, tmp_path) as opened:
        yield opened


async def test_a_transaction_commits_together_or_not_at_all(store: Store) -> None:
    async with store.transaction() as tx:
        siti = await tx.contacts.create("console", "siti", "id", 1.0)
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.contacts.create("console", "budi", "en", 2.0)
            await tx.contacts.save_states([(siti.id, State("menu", "choose"))], 2.0)
            raise RuntimeError("a handler failed")
    async with store.transaction() as tx:
        assert await tx.contacts.find("console", "budi") is None
        found = await tx.contacts.load_many([("console", "siti")])
        contact, state = found[("console", "siti")]
        assert contact.id == siti.id and contact.locale == "id"
        assert state is None  # the rolled-back state never landed


async def test_states_round_trip_with_their_choices(store: Store) -> None:
    async with store.transaction() as tx:
        siti = await tx.contacts.create("console", "siti", "id", 1.0)
        state = State("report", "what", {"role": "family"}, [Choice("skip", "Tidak tahu")])
        await tx.contacts.save_states([(siti.id, state)], 1.0)
    async with store.transaction() as tx:
        _contact, loaded = (await tx.contacts.load_many([("console", "siti")]))[("console", "siti")]
        assert loaded == state
        assert await tx.contacts.reset_stale("report", before=2.0) == 1
        _contact, reset = (await tx.contacts.load_many([("console", "siti")]))[("console", "siti")]
        assert reset is not None and (reset.flow, reset.step, reset.data) == ("menu", "start", {})


async def test_inbound_keys_are_seen_once_recorded(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.inbound.seen([("console", "1")]) == set()
        await tx.inbound.record([("console", "1")], 1.0)
        assert await tx.inbound.seen([("console", "1"), ("console", "2")]) == {("console", "1")}


async def test_delivery_status_never_goes_backwards_and_reports_a_failure_once(
    store: Store,
) -> None:
    async with store.transaction() as tx:
        siti = await tx.contacts.create("whatsapp", "628", "id", 1.0)
        await tx.outbox.add_many(
            [NewMessage(siti.id, "whatsapp", "628", "id", Reply("halo"), kind="alert")], 1.0
        )
        [message] = await tx.outbox.due("whatsapp", 1.0)
        await tx.outbox.mark_sent(message.id, 1.0, "SM1")
        assert await tx.outbox.record_delivery_status("SM1", "delivered") is None
        assert await tx.outbox.record_delivery_status("SM1", "sent") is None  # late: ignored
        failed = await tx.outbox.record_delivery_status("SM1", "undelivered", "Twilio 63016")
        assert failed is not None and failed.id == message.id and failed.kind == "alert"
        assert await tx.outbox.record_delivery_status("SM1", "failed", "again") is None
        assert await tx.outbox.record_delivery_status("SM-unknown", "failed") is None


async def test_the_reader_sees_what_was_committed(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.outbox.add_many(
            [NewMessage(None, "console", "x", "id", Reply(str(i))) for i in range(3)], 1.0
        )
    async with store.reader() as reader:
        assert await reader.ping()
        assert await reader.outbox_counts() == {"pending": 3}


async def test_metrics_counts_follow_every_change_of_status(store: Store) -> None:
    async with store.transaction() as tx:
        siti = await tx.contacts.create("console", "siti", "id", 1.0)
        await tx.outbox.add_many(
            [NewMessage(siti.id, "console", "siti", "id", Reply(str(i))) for i in range(4)], 1.0
        )
        first, second, *_ = await tx.outbox.due("console", 1.0)
        await tx.outbox.mark_sent(first.id, 2.0)
        await tx.outbox.mark_failed(second.id, "blocked")
    async with store.reader() as reader:
        assert await reader.outbox_counts() == {"pending": 2, "sent": 1, "failed": 1}
    async with store.transaction() as tx:
        await tx.outbox.drop_pending_for(siti.id, "erased")
        await tx.sql.execute("DELETE FROM outbox WHERE status = 'failed'")
    async with store.reader() as reader:
        assert await reader.outbox_counts() == {"sent": 1, "dropped": 2}


async def test_inbound_ids_are_pruned_a_bounded_batch_at_a_time(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.inbound.record([("telegram", str(i)) for i in range(7)], 1.0)
        await tx.inbound.record([("telegram", "fresh")], 100.0)
        assert await tx.inbound.prune(before=50.0, limit=5) == 5
        assert await tx.inbound.prune(before=50.0, limit=5) == 2
        assert await tx.inbound.prune(before=50.0, limit=5) == 0
        keys = [("telegram", str(i)) for i in range(7)] + [("telegram", "fresh")]
        assert await tx.inbound.seen(keys) == {("telegram", "fresh")}


async def test_delivered_bodies_are_blanked_a_bounded_batch_at_a_time(store: Store) -> None:
    async with store.transaction() as tx:
        siti = await tx.contacts.create("console", "siti", "id", 1.0)
        await tx.outbox.add_many(
            [NewMessage(siti.id, "console", "siti", "id", Reply(f"kata {i}")) for i in range(6)],
            1.0,
        )
        rows = await tx.outbox.due("console", 1.0, limit=10, per_chat=10)
        for i, row in enumerate(rows[:5]):  # the sixth stays pending
            await tx.outbox.mark_sent(row.id, 10.0 + i)
        assert await tx.outbox.purge_delivered(before=13.5, limit=2) == 2  # the two oldest
        assert await tx.outbox.purge_delivered(before=13.5, limit=2) == 2
        assert await tx.outbox.purge_delivered(before=13.5, limit=2) == 0  # 14.0: kept longer
        bodies = [r[0] for r in await tx.sql.fetch("SELECT payload FROM outbox ORDER BY id", ())]
    assert ["kata" in body for body in bodies] == [False] * 4 + [True] * 2


async def test_a_draft_put_aside_is_forgotten_after_its_time(store: Store) -> None:
    key = "paused:report"
    async with store.transaction() as tx:
        old = await tx.contacts.create("console", "old", "id", 1.0)
        new = await tx.contacts.create("console", "new", "id", 1.0)
        other = await tx.contacts.create("console", "other", "id", 1.0)
        await tx.contacts.save_states(
            [
                (old.id, State("menu", "start", {key: {"saved_at": 5.0, "step": "what"}})),
                (new.id, State("menu", "start", {key: {"saved_at": 50.0, "step": "what"}})),
                (other.id, State("report", "what", {"description": "paused: nothing"})),
            ],
            60.0,
        )
        assert await tx.contacts.forget_paused(key, before=10.0) == 1
        found = await tx.contacts.load_many(
            [("console", "old"), ("console", "new"), ("console", "other")]
        )
    assert found[("console", "old")][1].data == {}
    assert key in found[("console", "new")][1].data
    assert found[("console", "other")][1].data == {"description": "paused: nothing"}


async def test_a_batch_load_says_who_coordinates_and_who_has_an_open_report(store: Store) -> None:
    # what the menu would otherwise ask the database for, once per person per menu shown
    async with store.transaction() as tx:
        siti = await tx.contacts.create("console", "siti", "id", 1.0)
        await tx.contacts.create("console", "budi", "id", 1.0)
        await tx.contacts.create("console", "koord", "id", 1.0)
        await tx.coordinators.add("console", "koord", "Koord", (), 1.0)
        case = await tx.cases.create({"reporter_contact_id": siti.id, "status": "new"}, 1.0)
        assert tx.cases.changed  # made in this transaction: a hint loaded before it is stale
    async with store.transaction() as tx:
        assert not tx.cases.changed
        found = await tx.contacts.load_many(
            [("console", "siti"), ("console", "budi"), ("console", "koord")]
        )
        siti_now, budi, koord = (found[("console", n)][0] for n in ("siti", "budi", "koord"))
        assert (siti_now.has_open_reports, budi.has_open_reports) == (True, False)
        assert (koord.is_coordinator, siti_now.is_coordinator) == (True, False)
        await tx.cases.update(case.id, 2.0, status="resolved")
        assert tx.cases.changed
    async with store.transaction() as tx:
        found = await tx.contacts.load_many([("console", "siti")])
        assert found[("console", "siti")][0].has_open_reports is False  # closed reports don't count
