"""Kawan PMI volunteers."""

from __future__ import annotations

from typing import Any

import storage.base as base
from storage.sql import Connection
from storage.volunteers import Volunteer

_COLUMNS = (
    "id, contact_id, name, channel, address, place_code, place_name, lat, lon, languages,"
    " capacity, available, show_name"
)


def _volunteer(row: Any) -> Volunteer:
    return Volunteer(*(row[i] for i in range(11)), available=bool(row[11]), show_name=bool(row[12]))


class SQLVolunteers(base.Volunteers):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def upsert(self, v: Volunteer, now: float) -> int:
        volunteer_id = await self.conn.fetchval(
            "INSERT INTO volunteers (contact_id, name, channel, address, place_code, place_name,"
            " lat, lon, languages, capacity, available, show_name, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, address) DO UPDATE SET contact_id = excluded.contact_id,"
            " name = excluded.name, place_code = excluded.place_code,"
            " place_name = excluded.place_name, lat = excluded.lat, lon = excluded.lon,"
            " languages = excluded.languages, capacity = excluded.capacity,"
            " show_name = excluded.show_name,"
            # importing a deactivated volunteer again registers them again
            " updated_at = excluded.updated_at, deactivated_at = NULL RETURNING id",
            (
                v.contact_id,
                v.name,
                v.channel,
                v.address,
                v.place_code,
                v.place_name,
                float(v.lat),
                float(v.lon),
                v.languages,
                v.capacity,
                int(v.available),
                int(v.show_name),
                now,
                now,
            ),
        )
        return int(volunteer_id)

    async def get(self, volunteer_id: int) -> Volunteer | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM volunteers WHERE id = ?", (volunteer_id,)
        )
        return _volunteer(row) if row else None

    async def for_contact(self, contact_id: int) -> Volunteer | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM volunteers WHERE contact_id = ?", (contact_id,)
        )
        return _volunteer(row) if row else None

    async def all(self) -> list[Volunteer]:
        rows = await self.conn.fetch(f"SELECT {_COLUMNS} FROM volunteers ORDER BY id")
        return [_volunteer(row) for row in rows]

    async def count(self) -> int:
        return int(await self.conn.fetchval("SELECT COUNT(*) FROM volunteers"))

    async def positions_version(self) -> tuple[int, int, float]:
        """Changes whenever a volunteer is added, moved or removed: the routing index is rebuilt."""
        row = await self.conn.fetchrow(
            "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(updated_at), 0) FROM volunteers"
        )
        assert row is not None
        return int(row[0]), int(row[1]), float(row[2])

    async def set_available(self, volunteer_id: int, available: bool) -> None:
        await self.conn.execute(
            "UPDATE volunteers SET available = ? WHERE id = ?", (int(available), volunteer_id)
        )

    async def unable_to_take(self, case_id: int | None) -> set[int]:
        """Volunteers routing must skip: away, at capacity, unreachable (blocked the bot), and for
        a given case those already asked who said no (or conflicted, or let it time out)."""
        rows = await self.conn.fetch(
            """
            SELECT v.id FROM volunteers v LEFT JOIN contacts c ON c.id = v.contact_id
            WHERE v.available = 0 OR v.deactivated_at IS NOT NULL OR v.contact_id IS NULL
               OR c.unreachable_at IS NOT NULL
               OR v.capacity <= (SELECT COUNT(*) FROM cases k WHERE k.volunteer_id = v.id
                                 AND k.status IN ('accepted', 'in_progress', 'referred_bp3mi',
                                                  'referred_police', 'referred_kp2mi'))
            UNION SELECT volunteer_id FROM case_declines WHERE case_id = ?
            """,
            (case_id,),
        )
        return {row[0] for row in rows}

    async def able_to_take(self, case_id: int | None) -> set[int]:
        # Through volunteers_available (migration 0008): the away and the removed are never
        # read, however many there are.
        rows = await self.conn.fetch(
            """
            SELECT v.id FROM volunteers v JOIN contacts c ON c.id = v.contact_id
            WHERE v.available = 1 AND v.deactivated_at IS NULL AND c.unreachable_at IS NULL
              AND v.capacity > (SELECT COUNT(*) FROM cases k WHERE k.volunteer_id = v.id
                                AND k.status IN ('accepted', 'in_progress', 'referred_bp3mi',
                                                 'referred_police', 'referred_kp2mi'))
              AND v.id NOT IN (SELECT volunteer_id FROM case_declines WHERE case_id = ?)
            """,
            (case_id,),
        )
        return {row[0] for row in rows}

    async def delete(self, volunteer_id: int) -> None:
        await self.conn.execute("DELETE FROM volunteers WHERE id = ?", (volunteer_id,))

    async def update_settings(
        self, volunteer_id: int, *, capacity: int, available: bool, languages: str, now: float
    ) -> None:
        await self.conn.execute(
            "UPDATE volunteers SET capacity = ?, available = ?, languages = ?, updated_at = ?"
            " WHERE id = ?",
            (capacity, int(available), languages, now, volunteer_id),
        )

    async def deactivate(self, volunteer_id: int, now: float) -> None:
        await self.conn.execute(
            "UPDATE volunteers SET available = 0, deactivated_at = ? WHERE id = ?",
            (now, volunteer_id),
        )
