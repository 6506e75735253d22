"""SQLite: cases."""

from __future__ import annotations

import aiosqlite

from storage import base
from storage.cases import FIELDS, OPEN, Case, Event, new_number, normalize_number
from storage.volunteers import Volunteer

_NAMES = FIELDS
_COLUMNS = ", ".join(_NAMES)


def _case(row: aiosqlite.Row) -> Case:
    values = dict(zip(_NAMES, row, strict=True))
    values["anonymous"] = bool(values["anonymous"])
    values["urgent"] = bool(values["urgent"])
    return Case(**values)


class SQLiteCases(base.Cases):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def create(self, values: dict[str, object], now: float) -> Case:
        columns = [k for k in values if k in _NAMES and k not in ("id", "number")]
        for _ in range(20):
            number = new_number()
            try:
                async with self.conn.execute(
                    f"INSERT INTO cases (number, {', '.join(columns)}, created_at, updated_at)"
                    f" VALUES (?, {', '.join('?' for _ in columns)}, ?, ?) RETURNING id",
                    (number, *(values[c] for c in columns), now, now),
                ) as cur:
                    row = await cur.fetchone()
            except aiosqlite.IntegrityError:
                continue  # the same number drawn twice: draw again
            assert row is not None
            case = await self.get(int(row[0]))
            assert case is not None
            return case
        raise RuntimeError("could not draw a free case number")

    async def get(self, case_id: int) -> Case | None:
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM cases WHERE id = ?", (case_id,)
        ) as cur:
            row = await cur.fetchone()
        return _case(row) if row else None

    async def by_number(self, number: str) -> Case | None:
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM cases WHERE number = ?", (normalize_number(number),)
        ) as cur:
            row = await cur.fetchone()
        return _case(row) if row else None

    async def update(self, case_id: int, now: float, **values: object) -> None:
        assignments = ", ".join(f"{k} = ?" for k in values)
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
        async with self.conn.execute(
            "SELECT at, actor, kind, detail FROM case_events WHERE case_id = ? ORDER BY id",
            (case_id,),
        ) as cur:
            return [Event(*row) async for row in cur]

    async def record_decline(
        self, case_id: int, volunteer_id: int, reason: str, now: float
    ) -> None:
        await self.conn.execute(
            "INSERT OR REPLACE INTO case_declines (case_id, volunteer_id, reason, at) VALUES (?, ?, ?, ?)",
            (case_id, volunteer_id, reason, now),
        )

    async def _select(self, where: str, params: tuple[object, ...]) -> list[Case]:
        async with self.conn.execute(f"SELECT {_COLUMNS} FROM cases WHERE {where}", params) as cur:
            return [_case(row) async for row in cur]

    async def overdue(self, now: float) -> list[Case]:
        return await self._select(
            "status = 'alerted' AND deadline_at <= ? ORDER BY deadline_at", (now,)
        )

    async def for_volunteer(self, volunteer_id: int) -> list[Case]:
        """Cases a volunteer may see: accepted by them and still open, or waiting for their answer."""
        placeholders = ", ".join("?" for _ in OPEN)
        return await self._select(
            f"(volunteer_id = ? AND status IN ({placeholders})) OR (offered_to = ? AND status = 'alerted')"
            " ORDER BY created_at",
            (volunteer_id, *OPEN, volunteer_id),
        )

    async def for_reporter(self, contact_id: int) -> list[Case]:
        return await self._select("reporter_contact_id = ? ORDER BY created_at", (contact_id,))

    async def recruiter_candidates(self, case_id: int, phone_norm: str | None) -> list[Case]:
        """Other reports that may name the same recruiter: same phone, or any with a name (the
        caller compares names)."""
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM cases WHERE id != ? AND withdrawn_at IS NULL AND"
            " ((recruiter_phone_norm IS NOT NULL AND recruiter_phone_norm = ?) OR recruiter_name IS NOT NULL)",
            (case_id, phone_norm),
        ) as cur:
            return [_case(row) async for row in cur]

    async def offered_to_contact(self, contact_id: int) -> list[tuple[Case, Volunteer]]:
        from storage.sqlite.volunteers import SQLiteVolunteers

        async with self.conn.execute(
            "SELECT k.id, v.id FROM cases k JOIN volunteers v ON v.id = k.offered_to"
            " WHERE k.status = 'alerted' AND v.contact_id = ?",
            (contact_id,),
        ) as cur:
            pairs = await cur.fetchall()
        volunteers = SQLiteVolunteers(self.conn)
        found = []
        for case_id, volunteer_id in pairs:
            case = await self.get(case_id)
            volunteer = await volunteers.get(volunteer_id)
            if case is not None and volunteer is not None:
                found.append((case, volunteer))
        return found
