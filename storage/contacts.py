"""Contacts: one row per person per channel, with their language and consent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from bot.messages import Choice


@dataclass
class Contact:
    id: int
    channel: str
    address: str
    locale: str | None = None
    display_name: str | None = None
    consent_at: float | None = None
    consent_version: str | None = None
    unreachable_at: float | None = None
    created_at: float = 0.0
    last_inbound_at: float | None = None
    # Derived when a batch loads its contacts (not a column): saves the menu a query each time.
    is_volunteer: bool = False

    @property
    def has_consented(self) -> bool:
        return self.consent_at is not None


@dataclass
class State:
    """Where a contact is in a conversation; survives restarts."""

    flow: str = "start"
    step: str = "start"
    data: dict[str, Any] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)


_COLUMNS = (
    "c.id, c.channel, c.address, c.locale, c.display_name, c.consent_at, c.consent_version,"
    " c.unreachable_at, c.created_at, c.last_inbound_at"
)


def _contact(row: aiosqlite.Row) -> Contact:
    return Contact(*(row[i] for i in range(10)))


def _state(row: aiosqlite.Row) -> State | None:
    if row["flow"] is None:
        return None
    return State(
        flow=row["flow"],
        step=row["step"],
        data=json.loads(row["data"]),
        choices=[Choice(k, label) for k, label in json.loads(row["choices"])],
    )


async def load_many(
    conn: aiosqlite.Connection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[Contact, State | None]]:
    """Contacts with their conversation state, for a whole batch in one query."""
    if not keys:
        return {}
    values = ",".join("(?,?)" for _ in keys)
    params = [part for key in keys for part in key]
    sql = (
        f"SELECT {_COLUMNS}, s.flow, s.step, s.data, s.choices,"
        " EXISTS (SELECT 1 FROM volunteers v WHERE v.contact_id = c.id) AS is_volunteer"
        " FROM contacts c LEFT JOIN conversations s ON s.contact_id = c.id"
        f" WHERE (c.channel, c.address) IN (VALUES {values})"
    )
    found = {}
    async with conn.execute(sql, params) as cur:
        async for row in cur:
            contact = _contact(row)
            contact.is_volunteer = bool(row["is_volunteer"])
            found[(row["channel"], row["address"])] = (contact, _state(row))
    return found


async def create(
    conn: aiosqlite.Connection, channel: str, address: str, locale: str | None, now: float
) -> Contact:
    async with conn.execute(
        "INSERT INTO contacts (channel, address, locale, created_at) VALUES (?, ?, ?, ?)"
        " RETURNING id",
        (channel, address, locale, now),
    ) as cur:
        row = await cur.fetchone()
    assert row is not None
    return Contact(id=row[0], channel=channel, address=address, locale=locale, created_at=now)


async def get(conn: aiosqlite.Connection, contact_id: int) -> Contact | None:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM contacts c WHERE c.id = ?", (contact_id,)
    ) as cur:
        row = await cur.fetchone()
    return _contact(row) if row else None


async def find(conn: aiosqlite.Connection, channel: str, address: str) -> Contact | None:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM contacts c WHERE c.channel = ? AND c.address = ?",
        (channel, address),
    ) as cur:
        row = await cur.fetchone()
    return _contact(row) if row else None


async def get_or_create(
    conn: aiosqlite.Connection, channel: str, address: str, locale: str | None, now: float
) -> Contact:
    return await find(conn, channel, address) or await create(conn, channel, address, locale, now)


async def save_many(conn: aiosqlite.Connection, contacts: list[Contact]) -> None:
    await conn.executemany(
        "UPDATE contacts SET locale = ?, display_name = ?, consent_at = ?, consent_version = ?,"
        " unreachable_at = ?, last_inbound_at = ? WHERE id = ?",
        [
            (
                c.locale,
                c.display_name,
                c.consent_at,
                c.consent_version,
                c.unreachable_at,
                c.last_inbound_at,
                c.id,
            )
            for c in contacts
        ],
    )


async def save_states(
    conn: aiosqlite.Connection, states: list[tuple[int, State]], now: float
) -> None:
    await conn.executemany(
        "INSERT INTO conversations (contact_id, flow, step, data, choices, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (contact_id) DO UPDATE SET flow = excluded.flow,"
        " step = excluded.step, data = excluded.data, choices = excluded.choices,"
        " updated_at = excluded.updated_at",
        [
            (
                cid,
                s.flow,
                s.step,
                json.dumps(s.data, ensure_ascii=False),
                json.dumps([[c.key, c.label] for c in s.choices], ensure_ascii=False),
                now,
            )
            for cid, s in states
        ],
    )


async def mark_unreachable(conn: aiosqlite.Connection, contact_id: int, now: float) -> None:
    await conn.execute(
        "UPDATE contacts SET unreachable_at = ? WHERE id = ? AND unreachable_at IS NULL",
        (now, contact_id),
    )


async def delete(conn: aiosqlite.Connection, contact_id: int) -> None:
    """Erase a contact: the row, its conversation and its queued messages (ON DELETE CASCADE)."""
    await conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
