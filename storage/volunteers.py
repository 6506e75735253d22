"""Kawan PMI volunteers: where they are, how to reach them, whether they can take a case."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite


@dataclass
class Volunteer:
    id: int
    contact_id: int | None
    name: str
    channel: str
    address: str
    place_code: str | None
    place_name: str | None
    lat: float
    lon: float
    languages: str
    capacity: int
    available: bool


_COLUMNS = "id, contact_id, name, channel, address, place_code, place_name, lat, lon, languages, capacity, available"


def _volunteer(row: aiosqlite.Row) -> Volunteer:
    return Volunteer(*(row[i] for i in range(11)), available=bool(row[11]))


async def upsert(conn: aiosqlite.Connection, v: Volunteer, now: float) -> int:
    async with conn.execute(
        "INSERT INTO volunteers (contact_id, name, channel, address, place_code, place_name, lat, lon,"
        " languages, capacity, available, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (channel, address) DO UPDATE SET contact_id = excluded.contact_id,"
        " name = excluded.name, place_code = excluded.place_code, place_name = excluded.place_name,"
        " lat = excluded.lat, lon = excluded.lon, languages = excluded.languages,"
        " capacity = excluded.capacity, updated_at = excluded.updated_at,"
        # importing a deactivated volunteer again registers them again
        " deactivated_at = NULL RETURNING id",
        (
            v.contact_id,
            v.name,
            v.channel,
            v.address,
            v.place_code,
            v.place_name,
            v.lat,
            v.lon,
            v.languages,
            v.capacity,
            int(v.available),
            now,
            now,
        ),
    ) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def get(conn: aiosqlite.Connection, volunteer_id: int) -> Volunteer | None:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM volunteers WHERE id = ?", (volunteer_id,)
    ) as cur:
        row = await cur.fetchone()
    return _volunteer(row) if row else None


async def for_contact(conn: aiosqlite.Connection, contact_id: int) -> Volunteer | None:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM volunteers WHERE contact_id = ?", (contact_id,)
    ) as cur:
        row = await cur.fetchone()
    return _volunteer(row) if row else None


async def all(conn: aiosqlite.Connection) -> list[Volunteer]:
    async with conn.execute(f"SELECT {_COLUMNS} FROM volunteers ORDER BY id") as cur:
        return [_volunteer(row) async for row in cur]


async def count(conn: aiosqlite.Connection) -> int:
    async with conn.execute("SELECT COUNT(*) FROM volunteers") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def positions_version(conn: aiosqlite.Connection) -> tuple[int, int, float]:
    """Changes whenever a volunteer is added, moved or removed: the routing index is rebuilt."""
    async with conn.execute(
        "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(updated_at), 0) FROM volunteers"
    ) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), float(row[2])


async def set_available(conn: aiosqlite.Connection, volunteer_id: int, available: bool) -> None:
    await conn.execute(
        "UPDATE volunteers SET available = ? WHERE id = ?", (int(available), volunteer_id)
    )


async def unable_to_take(conn: aiosqlite.Connection, case_id: int | None) -> set[int]:
    """Volunteers routing must skip: away, at capacity, unreachable (blocked the bot), and for
    a given case those already asked who said no (or conflicted, or let it time out)."""
    sql = """
        SELECT v.id FROM volunteers v LEFT JOIN contacts c ON c.id = v.contact_id
        WHERE v.available = 0 OR v.deactivated_at IS NOT NULL OR v.contact_id IS NULL OR c.unreachable_at IS NOT NULL
           OR v.capacity <= (SELECT COUNT(*) FROM cases k WHERE k.volunteer_id = v.id
                             AND k.status IN ('accepted', 'in_progress', 'referred_bp3mi',
                                              'referred_police', 'referred_kp2mi'))
        UNION SELECT volunteer_id FROM case_declines WHERE case_id = ?
    """
    async with conn.execute(sql, (case_id,)) as cur:
        return {row[0] async for row in cur}


async def delete(conn: aiosqlite.Connection, volunteer_id: int) -> None:
    await conn.execute("DELETE FROM volunteers WHERE id = ?", (volunteer_id,))


async def update_settings(
    conn: aiosqlite.Connection,
    volunteer_id: int,
    *,
    capacity: int,
    available: bool,
    languages: str,
    now: float,
) -> None:
    await conn.execute(
        "UPDATE volunteers SET capacity = ?, available = ?, languages = ?, updated_at = ?"
        " WHERE id = ?",
        (capacity, int(available), languages, now, volunteer_id),
    )


async def deactivate(conn: aiosqlite.Connection, volunteer_id: int, now: float) -> None:
    """Out of the network: never routed to again (the row stays, so the history keeps a name)."""
    await conn.execute(
        "UPDATE volunteers SET available = 0, deactivated_at = ? WHERE id = ?",
        (now, volunteer_id),
    )
