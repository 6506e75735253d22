"""Every hot query uses an index, whatever the size of the tables (SQLite's query plans).

A plan is read with EXPLAIN QUERY PLAN on the real statement: a line `SCAN <table>` (a full
table scan) for any of the tables below fails the test. The statements are captured from the
repositories as they run, so a rewritten query is checked as it is, not as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.messages import Reply
from storage.outbox import NewMessage
from storage.sql import SQLiteConnection
from storage.sqlite import SQLiteStore

BIG_TABLES = ("inbound", "contacts", "conversations", "outbox", "cases", "case_events")


class Recording(SQLiteConnection):
    """Runs statements as usual and keeps each with its parameters."""

    def __init__(self, raw: Any) -> None:
        super().__init__(raw)
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    async def fetch(self, sql: str, params: Any = ()) -> list[Any]:
        self.statements.append((sql, tuple(params)))
        return await super().fetch(sql, params)

    async def fetchrow(self, sql: str, params: Any = ()) -> Any:
        self.statements.append((sql, tuple(params)))
        return await super().fetchrow(sql, params)

    async def execute(self, sql: str, params: Any = ()) -> int:
        self.statements.append((sql, tuple(params)))
        return await super().execute(sql, params)


# The scheduler's sweeps, each through the partial index that holds only what is left to sweep:
# a plan that walks another index (SQLite reads "x IS NOT NULL" as a range over every row that
# has x) is a full scan in all but name.
SWEEPS = {
    "recruiter_name_key IS NULL": "cases_name_unkeyed",
    "payload != ": "outbox_unpurged",
    "paused:": "conversations_paused",
}


def full_scans(plan: list[Any]) -> list[str]:
    lines = [row[3] for row in plan]
    return [
        line
        for line in lines
        if line.startswith("SCAN ") and line.split()[1] in BIG_TABLES
        and "USING" not in line  # "SCAN t USING INDEX" walks an index, not the table
    ]  # fmt: skip


@pytest.mark.sqlite_only
async def test_the_hot_queries_read_through_indexes(tmp_path: Path) -> None:
    from storage.repos import SQLCases, SQLContacts, SQLInbound, SQLOutbox

    async with SQLiteStore(tmp_path / "plans.db") as store:
        raw = store.connection
        # some rows, and statistics, so the planner chooses as it would in production
        await raw.execute("BEGIN")
        for i in range(300):
            await raw.execute(
                "INSERT INTO contacts (channel, address, created_at) VALUES ('whatsapp', ?, 0)",
                (f"+62{i}",),
            )
            await raw.execute(
                "INSERT INTO inbound (channel, external_id, received_at) VALUES ('whatsapp', ?, 0)",
                (f"SM{i}",),
            )
        await raw.execute("COMMIT")
        await raw.execute("ANALYZE")
        sql = Recording(raw)
        contacts, inbound, outbox, cases = (
            SQLContacts(sql), SQLInbound(sql), SQLOutbox(sql), SQLCases(sql)
        )  # fmt: skip
        await raw.execute("BEGIN")
        keys = [("whatsapp", "+621"), ("whatsapp", "+622"), ("telegram", "9")]
        await inbound.seen([("whatsapp", "SM1"), ("whatsapp", "SM2")])
        await contacts.load_many(keys)
        await contacts.reset_stale("report", before=10.0)
        await inbound.prune(before=10.0)
        await outbox.add_many([NewMessage(1, "whatsapp", "+621", "id", Reply(text="x"))], 1.0)
        await outbox.due("whatsapp", 5.0)
        await outbox.due("whatsapp", 5.0, limit=3, address="+621")
        await outbox.new_since("whatsapp", 5.0, after=0)
        await outbox.last_id()
        await outbox.pending_for("whatsapp", "+621")
        await outbox.record_delivery_status("SMx", "delivered")
        await cases.for_volunteer(1)
        await cases.for_reporter(1)
        await cases.overdue(5.0)
        await cases.by_number("MA-22222")
        await cases.recruiter_candidates(1, "6281234567", "sri wahyuni")
        await cases.missing_name_keys(10)
        await outbox.purge_delivered(before=10.0)
        await contacts.forget_paused("paused:report", before=10.0)
        await cases.offered_to_contact(1)
        await raw.execute("ROLLBACK")

        bad = {}
        for statement, params in sql.statements:
            if statement.lstrip().upper().startswith(("INSERT", "EXPLAIN")):
                continue
            async with raw.execute(f"EXPLAIN QUERY PLAN {statement}", params) as cur:
                plan = await cur.fetchall()
            scans = full_scans(plan)
            if "recruiter_name_key >=" in statement:
                # a common prefix matches a million reports: they must come in index order,
                # LIMIT stopping the walk, never all sorted first
                scans += [row[3] for row in plan if "TEMP B-TREE" in row[3]]
            for words, index in SWEEPS.items():
                if words in statement and not any(index in row[3] for row in plan):
                    scans.append(f"not through {index}: {[row[3] for row in plan]}")
            if scans:
                bad[" ".join(statement.split())[:120]] = scans
        assert not bad, bad
