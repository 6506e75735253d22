"""Cases: a report, who it is offered to or accepted by, its deadline and its history."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields

import aiosqlite

OPEN = ("accepted", "in_progress", "referred_bp3mi", "referred_police", "referred_kp2mi")
CLOSED = ("resolved", "not_a_case", "withdrawn")
# Crockford-style: no 0/O, 1/I/L, U, so a number read aloud or typed on a phone survives.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass
class Case:
    id: int
    number: str
    reporter_contact_id: int | None
    reporter_locale: str
    reporter_role: str | None
    reporter_name: str | None
    reporter_reach: str | None
    anonymous: bool
    description: str | None
    recruiter_name: str | None
    recruiter_phone: str | None
    recruiter_phone_norm: str | None
    place_code: str | None
    place_name: str | None
    lat: float | None
    lon: float | None
    urgent: bool
    status: str
    volunteer_id: int | None
    offered_to: int | None
    attempts: int
    deadline_at: float | None
    created_at: float
    updated_at: float
    withdrawn_at: float | None
    accepted_at: float | None = None


_NAMES = [f.name for f in fields(Case)]
_COLUMNS = ", ".join(_NAMES)


def _case(row: aiosqlite.Row) -> Case:
    values = dict(zip(_NAMES, row, strict=True))
    values["anonymous"] = bool(values["anonymous"])
    values["urgent"] = bool(values["urgent"])
    return Case(**values)


def new_number() -> str:
    return "MA-" + "".join(secrets.choice(_ALPHABET) for _ in range(5))


def normalize_number(text: str) -> str:
    """'ma 7k3qh', 'MA7K3QH', 'ma-7k3qh' → 'MA-7K3QH'."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if compact.startswith("MA"):
        compact = compact[2:]
    compact = compact.replace("O", "0").replace("I", "1")  # then rejected: not in the alphabet
    return "MA-" + compact


async def create(conn: aiosqlite.Connection, values: dict[str, object], now: float) -> Case:
    columns = [k for k in values if k in _NAMES and k not in ("id", "number")]
    for _ in range(20):
        number = new_number()
        try:
            async with conn.execute(
                f"INSERT INTO cases (number, {', '.join(columns)}, created_at, updated_at)"
                f" VALUES (?, {', '.join('?' for _ in columns)}, ?, ?) RETURNING id",
                (number, *(values[c] for c in columns), now, now),
            ) as cur:
                row = await cur.fetchone()
        except aiosqlite.IntegrityError:
            continue  # the same number drawn twice: draw again
        assert row is not None
        case = await get(conn, int(row[0]))
        assert case is not None
        return case
    raise RuntimeError("could not draw a free case number")


async def get(conn: aiosqlite.Connection, case_id: int) -> Case | None:
    async with conn.execute(f"SELECT {_COLUMNS} FROM cases WHERE id = ?", (case_id,)) as cur:
        row = await cur.fetchone()
    return _case(row) if row else None


async def by_number(conn: aiosqlite.Connection, number: str) -> Case | None:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM cases WHERE number = ?", (normalize_number(number),)
    ) as cur:
        row = await cur.fetchone()
    return _case(row) if row else None


async def update(conn: aiosqlite.Connection, case_id: int, now: float, **values: object) -> None:
    assignments = ", ".join(f"{k} = ?" for k in values)
    await conn.execute(
        f"UPDATE cases SET {assignments}, updated_at = ? WHERE id = ?",
        (*values.values(), now, case_id),
    )


async def add_event(
    conn: aiosqlite.Connection, case_id: int, actor: str, kind: str, now: float, detail: str = ""
) -> None:
    await conn.execute(
        "INSERT INTO case_events (case_id, at, actor, kind, detail) VALUES (?, ?, ?, ?, ?)",
        (case_id, now, actor, kind, detail),
    )


@dataclass
class Event:
    at: float
    actor: str
    kind: str
    detail: str


async def events(conn: aiosqlite.Connection, case_id: int) -> list[Event]:
    async with conn.execute(
        "SELECT at, actor, kind, detail FROM case_events WHERE case_id = ? ORDER BY id", (case_id,)
    ) as cur:
        return [Event(*row) async for row in cur]


async def set_flags(conn: aiosqlite.Connection, case_id: int, codes: list[str]) -> None:
    """The warning signs found in the report's story (codes only, no personal data)."""
    await conn.execute("DELETE FROM case_flags WHERE case_id = ?", (case_id,))
    await conn.executemany(
        "INSERT OR IGNORE INTO case_flags (case_id, code) VALUES (?, ?)",
        [(case_id, code) for code in codes],
    )


async def flags(conn: aiosqlite.Connection, case_id: int) -> list[str]:
    async with conn.execute(
        "SELECT code FROM case_flags WHERE case_id = ? ORDER BY code", (case_id,)
    ) as cur:
        return [row[0] async for row in cur]


async def record_decline(
    conn: aiosqlite.Connection, case_id: int, volunteer_id: int, reason: str, now: float
) -> None:
    await conn.execute(
        "INSERT OR REPLACE INTO case_declines (case_id, volunteer_id, reason, at) VALUES (?, ?, ?, ?)",
        (case_id, volunteer_id, reason, now),
    )


async def _select(conn: aiosqlite.Connection, where: str, params: tuple[object, ...]) -> list[Case]:
    async with conn.execute(f"SELECT {_COLUMNS} FROM cases WHERE {where}", params) as cur:
        return [_case(row) async for row in cur]


async def overdue(conn: aiosqlite.Connection, now: float) -> list[Case]:
    return await _select(
        conn, "status = 'alerted' AND deadline_at <= ? ORDER BY deadline_at", (now,)
    )


async def for_volunteer(conn: aiosqlite.Connection, volunteer_id: int) -> list[Case]:
    """Cases a volunteer may see: accepted by them and still open, or waiting for their answer."""
    placeholders = ", ".join("?" for _ in OPEN)
    return await _select(
        conn,
        f"(volunteer_id = ? AND status IN ({placeholders})) OR (offered_to = ? AND status = 'alerted')"
        " ORDER BY created_at",
        (volunteer_id, *OPEN, volunteer_id),
    )


async def offered_to(conn: aiosqlite.Connection, volunteer_id: int) -> list[Case]:
    """Alerts waiting for this volunteer's answer."""
    return await _select(
        conn, "offered_to = ? AND status = 'alerted' ORDER BY created_at", (volunteer_id,)
    )


async def for_reporter(conn: aiosqlite.Connection, contact_id: int) -> list[Case]:
    return await _select(conn, "reporter_contact_id = ? ORDER BY created_at", (contact_id,))


async def recruiter_candidates(
    conn: aiosqlite.Connection, case_id: int, phone_norm: str | None
) -> list[Case]:
    """Other reports that may name the same recruiter: same phone, or any with a name (the
    caller compares names)."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM cases WHERE id != ? AND withdrawn_at IS NULL AND"
        " ((recruiter_phone_norm IS NOT NULL AND recruiter_phone_norm = ?) OR recruiter_name IS NOT NULL)",
        (case_id, phone_norm),
    ) as cur:
        return [_case(row) async for row in cur]
