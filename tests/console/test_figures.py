"""The dashboard's figures: what they count, and on SQLite that the tallies its triggers keep
(migration 0009) give exactly what counting the rows gives, after every kind of change."""

from __future__ import annotations

import random
from pathlib import Path

import aiosqlite
import pytest

from storage import console_queries as q
from storage.sql import SQLiteConnection
from storage.sqlite.db import connect, migrate

NOW = 1_795_000_000.0  # a Saturday, 14:26 WIB
DAY = 86400.0
PLACES = ["3212", "3201", "9103", "3578", "1101", None]
STATUSES = ["new", "alerted", "escalated", "accepted", "in_progress", "resolved", "not_a_case"]
FLAGS = ["upfront_fee", "visa_nonwork", "no_contract", "passport_retention"]
SCOPES = [q.Scope(), q.Scope(("32",)), q.Scope(("32", "91")), q.Scope(("35",)), q.Scope(("61",))]


async def _insert(conn: aiosqlite.Connection, rng: random.Random, i: int) -> None:
    created = NOW - rng.random() * 120 * DAY
    status = rng.choice(STATUSES)
    accepted = created + rng.random() * 7200 if status not in STATUSES[:3] else None
    phone = f"62812000{rng.randint(0, 12):04d}" if rng.random() < 0.7 else None
    await conn.execute(
        "INSERT INTO cases (number, status, place_code, created_at, updated_at, accepted_at,"
        " recruiter_phone_norm, recruiter_name, urgent, deadline_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            f"MA-T{i:04d}",
            status,
            rng.choice(PLACES),
            created,
            created,
            accepted,
            phone,
            f"Sponsor {rng.randint(0, 3)}" if phone else None,
            int(rng.random() < 0.2),
            created + 7200 if status == "alerted" else None,
        ),
    )
    for code in rng.sample(FLAGS, rng.randint(0, 3)):
        await conn.execute(
            "INSERT INTO case_flags (case_id, code, reported_at)"
            " SELECT id, ?, created_at FROM cases WHERE number = ?",
            (code, f"MA-T{i:04d}"),
        )


LISTS = [
    q.CaseFilter(),
    q.CaseFilter(status="open"),
    q.CaseFilter(status="waiting"),
    q.CaseFilter(status="closed"),
    q.CaseFilter(status="escalated"),
    q.CaseFilter(province="32"),
    q.CaseFilter(status="accepted", province="91"),
]


async def _same_figures(conn: aiosqlite.Connection) -> None:
    sql = SQLiteConnection(conn)
    for scope in SCOPES:
        tallied = await q.figures(sql, scope, NOW, tallies=True)
        counted = await q.figures(sql, scope, NOW, tallies=False)
        assert tallied == counted, scope
        for f in LISTS:  # the cases list's "N cases" from the tally, or counted
            kw = {"limit": 5, "offset": 0}
            a = await q.list_cases(sql, f, scope, NOW, tallies=True, **kw)
            b = await q.list_cases(sql, f, scope, NOW, tallies=False, **kw)
            assert a == b, (scope, f)


async def test_tallies_match_the_rows_after_upgrade_and_every_change(db_path: Path) -> None:
    rng = random.Random(7)
    old = await aiosqlite.connect(db_path, isolation_level=None)
    await migrate(old, target=7)  # cases that exist before the tallies do
    for i in range(150):
        await _insert(old, rng, i)
    await old.close()

    conn = await connect(db_path)  # 0009 fills the tallies from those rows
    try:
        await _same_figures(conn)
        fig = await q.figures(SQLiteConnection(conn), q.Scope(), NOW)
        assert sum(n for _w, n in fig.weeks) > 50 and fig.repeat_recruiters and fig.top_flags

        for i in range(150, 250):  # new reports: the insert triggers
            await _insert(conn, rng, i)
        ids = [row[0] for row in await conn.execute_fetchall("SELECT id FROM cases")]
        for case_id in rng.sample(ids, 60):  # status changes, moves, withdrawn phones
            await conn.execute(
                "UPDATE cases SET status = ? WHERE id = ?", (rng.choice(STATUSES), case_id)
            )
        for case_id in rng.sample(ids, 15):
            await conn.execute(
                "UPDATE cases SET place_code = ? WHERE id = ?", (rng.choice(PLACES), case_id)
            )
        for case_id in rng.sample(ids, 15):
            await conn.execute(
                "UPDATE cases SET recruiter_phone_norm = NULL WHERE id = ?", (case_id,)
            )
        for case_id in rng.sample(ids, 10):  # the screener's signs found again
            await conn.execute("DELETE FROM case_flags WHERE case_id = ?", (case_id,))
            await conn.execute(
                "INSERT INTO case_flags (case_id, code, reported_at)"
                " SELECT id, 'no_contract', created_at FROM cases WHERE id = ?",
                (case_id,),
            )
        for case_id in rng.sample(ids, 10):  # cases deleted, flags with them (cascade)
            await conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))
        # a phone only one report gave: withdrawn (its phone cleared), or the case deleted
        for number, phone in (("MA-ONE1", "628129990001"), ("MA-ONE2", "628129990002")):
            await conn.execute(
                "INSERT INTO cases (number, status, place_code, created_at, updated_at,"
                " recruiter_phone_norm) VALUES (?, 'new', '3212', ?, ?, ?)",
                (number, NOW - DAY, NOW - DAY, phone),
            )
        await conn.execute("UPDATE cases SET recruiter_phone_norm = NULL WHERE number = 'MA-ONE1'")
        await conn.execute("DELETE FROM cases WHERE number = 'MA-ONE2'")
        await _same_figures(conn)

        # a phone no report carries any more is gone from the tally, not left at zero
        phones = {
            row[0] for row in await conn.execute_fetchall("SELECT phone FROM recruiter_tally")
        }
        live = {
            row[0]
            for row in await conn.execute_fetchall(
                "SELECT recruiter_phone_norm FROM cases WHERE recruiter_phone_norm IS NOT NULL"
            )
        }
        assert phones == live
        assert not phones & {"628129990001", "628129990002"}
    finally:
        await conn.close()


@pytest.mark.parametrize("tallies", [True, False])
async def test_weeks_are_wib_days_ending_today_and_acceptance_is_nearest_rank(
    db_path: Path, tallies: bool
) -> None:
    conn = await connect(db_path)
    today_start = q.day_start(q.wib_day(NOW))  # 00:00 WIB today
    rows = [
        # (created, accepted after seconds, place, phone)
        (today_start + 60, 600, "3212", "628120001111"),  # today, just after midnight WIB
        (today_start - 60, 1200, "3212", "628120001111"),  # yesterday 23:59 WIB: same week
        (today_start - 6 * DAY, 1800, "9103", "628120001111"),  # 6 days back: this week still
        (today_start - 6 * DAY - 60, 2400, "9103", None),  # 7 days back: the week before
        (today_start - 83 * DAY + 60, 3000, "3578", None),  # the first day of the 12 weeks
        (today_start - 83 * DAY - 60, 3600, "3578", "628120002222"),  # before: not counted
    ]
    try:
        for i, (created, after, place, phone) in enumerate(rows):
            await conn.execute(
                "INSERT INTO cases (number, status, place_code, created_at, updated_at,"
                " accepted_at, recruiter_phone_norm) VALUES (?, 'accepted', ?, ?, ?, ?, ?)",
                (f"MA-W{i}", place, created, created, created + after, phone),
            )
        fig = await q.figures(SQLiteConnection(conn), q.Scope(), NOW, tallies=tallies)
        assert [n for _start, n in fig.weeks] == [1] + [0] * 9 + [1, 3]
        assert fig.weeks[-1][0] == today_start - 6 * DAY
        # accepted in the 12 weeks: 600 … 3000 s, and the one before at 83 days 23 h 59 min
        # was accepted an hour later, inside the window: 6 durations
        assert fig.accepted == 6
        assert fig.accept_median == 1800  # nearest rank: the 3rd of 6
        assert fig.accept_p90 == 3600  # the 6th of 6 (ceil(5.4))
        assert fig.repeat_recruiters == [("628120001111", None, 3)]
        jabar = await q.figures(SQLiteConnection(conn), q.Scope(("32",)), NOW, tallies=tallies)
        assert [n for _s, n in jabar.weeks][-1] == 2 and jabar.repeat_recruiters == [
            ("628120001111", None, 2)
        ]
        papua = await q.figures(SQLiteConnection(conn), q.Scope(("91",)), NOW, tallies=tallies)
        assert papua.repeat_recruiters == []  # once in Papua: not a repeat there
    finally:
        await conn.close()


@pytest.mark.sqlite_only
async def test_the_dashboard_and_the_lists_read_no_case_table_in_full(db_path: Path) -> None:
    """The plans of every statement of a fresh dashboard and of the lists the benchmark
    times: no full scan of cases or case_flags (an index walk is fine), at any size."""
    from tests.storage.test_query_plans import Recording

    class Counting(Recording):  # the lists' counts come through fetchval
        async def fetchval(self, sql: str, params=()):
            self.statements.append((sql, tuple(params)))
            return await SQLiteConnection.fetchval(self, sql, params)

    conn = await connect(db_path)
    try:
        rng = random.Random(1)
        for i in range(300):
            await _insert(conn, rng, i)
        await conn.execute("ANALYZE")
        sql = Counting(conn)
        for scope in (q.Scope(), q.Scope(("32",)), q.Scope(("32", "91"))):
            await q.figures(sql, scope, NOW)
            for f in (
                *LISTS,
                q.CaseFilter(urgent="1"),
                q.CaseFilter(flag="no_contract", urgent="1"),
                q.CaseFilter(place="3212"),
                q.CaseFilter(since=NOW - 30 * DAY, until=NOW),
                q.CaseFilter(phone="628120000001"),
                q.CaseFilter(name="Sponsor 1"),
            ):
                await q.list_cases(sql, f, scope, NOW, limit=50, offset=0)
        bad = {}
        for statement, params in sql.statements:
            plan = await conn.execute_fetchall(f"EXPLAIN QUERY PLAN {statement}", params)
            # the console's SQL names cases "c" and case_flags "f"
            scans = [
                row[3]
                for row in plan
                if row[3].startswith("SCAN ")
                and row[3].split()[1] in {"c", "cases", "f", "case_flags"}
                and "USING" not in row[3]
            ]
            if scans:
                bad[" ".join(statement.split())[:140]] = scans
        assert not bad, bad
    finally:
        await conn.close()
