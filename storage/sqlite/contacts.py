"""SQLite: contacts."""

from __future__ import annotations

import json

import aiosqlite

from bot.messages import Choice
from storage import base
from storage.contacts import Contact, State

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


class SQLiteContacts(base.Contacts):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def load_many(
        self, keys: list[tuple[str, str]]
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
        async with self.conn.execute(sql, params) as cur:
            async for row in cur:
                contact = _contact(row)
                contact.is_volunteer = bool(row["is_volunteer"])
                found[(row["channel"], row["address"])] = (contact, _state(row))
        return found

    async def create(self, channel: str, address: str, locale: str | None, now: float) -> Contact:
        async with self.conn.execute(
            "INSERT INTO contacts (channel, address, locale, created_at) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            (channel, address, locale, now),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return Contact(id=row[0], channel=channel, address=address, locale=locale, created_at=now)

    async def get(self, contact_id: int) -> Contact | None:
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM contacts c WHERE c.id = ?", (contact_id,)
        ) as cur:
            row = await cur.fetchone()
        return _contact(row) if row else None

    async def find(self, channel: str, address: str) -> Contact | None:
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM contacts c WHERE c.channel = ? AND c.address = ?",
            (channel, address),
        ) as cur:
            row = await cur.fetchone()
        return _contact(row) if row else None

    async def save_many(self, contacts: list[Contact]) -> None:
        await self.conn.executemany(
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

    async def save_states(self, states: list[tuple[int, State]], now: float) -> None:
        await self.conn.executemany(
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

    async def reset_stale(self, flow: str, before: float) -> int:
        cur = await self.conn.execute(
            "UPDATE conversations SET flow = 'menu', step = 'start', data = '{}', choices = '[]'"
            " WHERE flow = ? AND updated_at < ?",
            (flow, before),
        )
        return cur.rowcount

    async def mark_unreachable(self, contact_id: int, now: float) -> None:
        await self.conn.execute(
            "UPDATE contacts SET unreachable_at = ? WHERE id = ? AND unreachable_at IS NULL",
            (now, contact_id),
        )

    async def delete(self, contact_id: int) -> None:
        """Erase a contact: the row, its conversation and its queued messages (ON DELETE CASCADE)."""
        await self.conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
