"""Reports (cases), who they are offered to or accepted by, and their history."""

from __future__ import annotations

from typing import Any

import storage.base as base
from storage.cases import FIELDS, OPEN, UNASSIGNED, Case, Event, new_number, normalize_number
from storage.sql import Connection, UniqueViolation, placeholders
from storage.volunteers import Volunteer

_COLUMNS = ", ".join(FIELDS)


def _case(row: Any) -> Case:
    values = {name: row[i] for i, name in enumerate(FIELDS)}
    values["anonymous"] = bool(values["anonymous"])
    values["urgent"] = bool(values["urgent"])
    return Case(**values)


class SQLCases(base.Cases):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def create(self, values: dict[str, object], now: float) -> Case:
        self.changed = True
        columns = [k for k in values if k in FIELDS and k not in ("id", "number")]
        for _ in range(20):
            number = new_number()
            try:
                case_id = await self.conn.fetchval(
                    f"INSERT INTO cases (number, {', '.join(columns)}, created_at, updated_at)"
                    f" VALUES (?, {placeholders(len(columns))}, ?, ?) RETURNING id",
                    (number, *(values[c] for c in columns), now, now),
                )
            except UniqueViolation:
                continue  # the same number drawn twice: draw again
            case = await self.get(int(case_id))
            assert case is not None
            return case
        raise RuntimeError("could not draw a free case number")

    async def get(self, case_id: int) -> Case | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM cases WHERE id = ?", (case_id,))
        return _case(row) if row else None

    async def by_number(self, number: str) -> Case | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM cases WHERE number = ?", (normalize_number(number),)
        )
        return _case(row) if row else None

    async def update(self, case_id: int, now: float, **values: object) -> None:
        assignments = ", ".join(f"{k} = ?" for k in values if k in FIELDS)
        if len(assignments.split(", ")) != len(values):
            raise ValueError(f"unknown case fields: {sorted(set(values) - set(FIELDS))}")
        self.changed = True
        await self.conn.execute(
            f"UPDATE cases SET {assignments}, updated_at = ? WHERE id = ?",
            (*values.values(), now, case_id),
        )

    async def add_event(
        self, case_id: int, actor: str, kind: str, now: float, detail: str = ""
    ) -> None:
        await self.conn.execute(
            "INSERT INTO case_events (case_id, at, actor, kind, detail) VALUES (?, ?, ?, ?, ?)",
            (case_id, now, actor, kind, detail),
        )

    async def events(self, case_id: int) -> list[Event]:
        rows = await self.conn.fetch(
            "SELECT at, actor, kind, detail FROM case_events WHERE case_id = ? ORDER BY id",
            (case_id,),
        )
        return [Event(*row) for row in rows]

    async def record_decline(
        self, case_id: int, volunteer_id: int, reason: str, now: float
    ) -> None:
        await self.conn.execute(
            "INSERT INTO case_declines (case_id, volunteer_id, reason, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (case_id, volunteer_id) DO UPDATE SET reason = excluded.reason,"
            " at = excluded.at",
            (case_id, volunteer_id, reason, now),
        )

    async def _select(self, where: str, params: tuple[object, ...]) -> list[Case]:
        rows = await self.conn.fetch(f"SELECT {_COLUMNS} FROM cases WHERE {where}", params)
        return [_case(row) for row in rows]

    async def overdue(self, now: float) -> list[Case]:
        # On PostgreSQL several workers run the scheduler: a deadline one of them is firing is
        # locked and skipped by the others, so each fires once.
        lock = " FOR UPDATE SKIP LOCKED" if self.conn.dialect == "postgresql" else ""
        return await self._select(
            f"status = 'alerted' AND deadline_at <= ? ORDER BY deadline_at{lock}", (now,)
        )

    async def for_volunteer(self, volunteer_id: int) -> list[Case]:
        """Cases a volunteer may see: accepted by them and still open, or waiting for their answer."""
        return await self._select(
            f"(volunteer_id = ? AND status IN ({placeholders(len(OPEN))}))"
            " OR (offered_to = ? AND status = 'alerted') ORDER BY created_at",
            (volunteer_id, *OPEN, volunteer_id),
        )

    async def for_reporter(self, contact_id: int) -> list[Case]:
        return await self._select("reporter_contact_id = ? ORDER BY created_at", (contact_id,))

    async def claim(
        self, case_id: int, seen: dict[str, object], now: float, **values: object
    ) -> bool:
        unknown = (set(values) | set(seen)) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown case fields: {sorted(unknown)}")
        self.changed = True
        same = "IS" if self.conn.dialect == "sqlite" else "IS NOT DISTINCT FROM"
        assignments = ", ".join(f"{k} = ?" for k in values)
        expected = " AND ".join(f"{k} {same} ?" for k in seen) or "1 = 1"
        changed = await self.conn.execute(
            f"UPDATE cases SET {assignments}, updated_at = ? WHERE id = ? AND {expected}",
            (*values.values(), now, case_id, *seen.values()),
        )
        return bool(changed)

    async def queue(self, kind: str, now: float, stale_before: float) -> list[Case]:
        waiting = (*OPEN, *UNASSIGNED, "alerted", "new")
        if kind == "unassigned":
            return await self._select(
                f"status IN ({placeholders(len(UNASSIGNED))}) AND volunteer_id IS NULL"
                " AND coordinator_id IS NULL ORDER BY urgent DESC, created_at",
                UNASSIGNED,
            )
        if kind == "overdue":
            return await self._select(
                "(status = 'alerted' AND deadline_at <= ?)"
                f" OR (status IN ({placeholders(len(OPEN))}) AND updated_at < ?)"
                f" OR (status IN ({placeholders(len(UNASSIGNED))}) AND updated_at < ?)"
                " ORDER BY urgent DESC, created_at",
                (now, *OPEN, stale_before, *UNASSIGNED, stale_before),
            )
        return await self._select(
            f"status IN ({placeholders(len(waiting))}) ORDER BY urgent DESC, created_at", waiting
        )

    async def count_events(
        self, case_id: int, actor: str, kinds: tuple[str, ...], since: float
    ) -> int:
        return int(
            await self.conn.fetchval(
                "SELECT COUNT(*) FROM case_events WHERE case_id = ? AND actor = ? AND at >= ?"
                f" AND kind IN ({placeholders(len(kinds))})",
                (case_id, actor, since, *kinds),
            )
        )

    async def scrub_events(self, case_id: int, kinds: tuple[str, ...]) -> None:
        await self.conn.execute(
            "UPDATE case_events SET detail = '' WHERE case_id = ?"
            f" AND kind IN ({placeholders(len(kinds))})",
            (case_id, *kinds),
        )

    async def recruiter_candidates(
        self, case_id: int, phone_norm: str | None, name_key: str | None, limit: int = 200
    ) -> list[Case]:
        """Other reports that may name the same recruiter: the same phone, or the name keys
        nearest to this one (in index order, either side) among those with the same first
        three letters (near spellings differ later in the name). Every read walks an index in
        its own order and stops at `limit`: a common prefix shared by a million reports costs
        no more than a rare one (sorting them by id took 16 s). The caller compares names."""
        found: dict[int, Case] = {}
        if phone_norm:
            for case in await self._select(
                "recruiter_phone_norm = ? AND id != ? AND withdrawn_at IS NULL"
                " ORDER BY id DESC LIMIT ?",
                (phone_norm, case_id, limit),
            ):
                found[case.id] = case
        if name_key and len(name_key) >= 3:
            prefix, half = name_key[:3], max(1, limit // 2)
            for where, params in (
                (
                    "recruiter_name_key >= ? AND recruiter_name_key < ? AND id != ?"
                    " AND withdrawn_at IS NULL ORDER BY recruiter_name_key LIMIT ?",
                    (name_key, prefix + "\uffff", case_id, half),
                ),
                (
                    "recruiter_name_key >= ? AND recruiter_name_key < ? AND id != ?"
                    " AND withdrawn_at IS NULL ORDER BY recruiter_name_key DESC LIMIT ?",
                    (prefix, name_key, case_id, half),
                ),
            ):
                for case in await self._select(where, params):
                    found[case.id] = case
        return list(found.values())

    async def missing_name_keys(self, limit: int) -> list[tuple[int, str]]:
        # SQLite, without statistics, walks cases_recruiter_name for "IS NOT NULL" (every named
        # report: 2 s at a million) rather than the partial index that holds only these rows.
        hint = " INDEXED BY cases_name_unkeyed" if self.conn.dialect == "sqlite" else ""
        rows = await self.conn.fetch(
            f"SELECT id, recruiter_name FROM cases{hint} WHERE recruiter_name IS NOT NULL"
            " AND recruiter_name_key IS NULL AND withdrawn_at IS NULL LIMIT ?",
            (limit,),
        )
        return [(int(r[0]), r[1]) for r in rows]

    async def offered_to_contact(self, contact_id: int) -> list[tuple[Case, Volunteer]]:
        from storage.repos.volunteers import SQLVolunteers

        pairs = await self.conn.fetch(
            "SELECT k.id, v.id FROM cases k JOIN volunteers v ON v.id = k.offered_to"
            " WHERE k.status = 'alerted' AND v.contact_id = ?",
            (contact_id,),
        )
        volunteers = SQLVolunteers(self.conn)
        found = []
        for case_id, volunteer_id in pairs:
            case = await self.get(case_id)
            volunteer = await volunteers.get(volunteer_id)
            if case is not None and volunteer is not None:
                found.append((case, volunteer))
        return found

    async def set_flags(self, case_id: int, codes: list[str]) -> None:
        await self.conn.execute("DELETE FROM case_flags WHERE case_id = ?", (case_id,))
        if codes:
            await self.conn.executemany(
                "INSERT INTO case_flags (case_id, code, reported_at)"
                " SELECT id, ?, created_at FROM cases WHERE id = ? ON CONFLICT DO NOTHING",
                [(code, case_id) for code in codes],
            )

    async def flags(self, case_id: int) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT code FROM case_flags WHERE case_id = ? ORDER BY code", (case_id,)
        )
        return [row[0] for row in rows]

    async def offered_to(self, volunteer_id: int) -> list[Case]:
        return await self._select(
            "offered_to = ? AND status = 'alerted' ORDER BY created_at", (volunteer_id,)
        )
