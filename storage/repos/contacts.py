"""People and their conversation state."""

from __future__ import annotations

import json
from typing import Any

import storage.base as base
from bot.messages import Choice
from storage.cases import CLOSED
from storage.contacts import Contact, State
from storage.sql import Connection, placeholders

_COLUMNS = (
    "c.id, c.channel, c.address, c.locale, c.display_name, c.consent_at, c.consent_version,"
    " c.unreachable_at, c.created_at, c.last_inbound_at"
)

_CLOSED = ", ".join(f"'{status}'" for status in CLOSED)  # constants, not input


def _contact(row: Any) -> Contact:
    return Contact(*(row[i] for i in range(10)))


def _state(row: Any) -> State | None:
    if row["flow"] is None:
        return None
    return State(
        flow=row["flow"],
        step=row["step"],
        data=json.loads(row["data"]),
        choices=[Choice(k, label) for k, label in json.loads(row["choices"])],
    )


class SQLContacts(base.Contacts):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def load_many(
        self, keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[Contact, State | None]]:
        """Contacts with their conversation state, for a whole batch in one query."""
        if not keys:
            return {}
        if self.conn.dialect == "postgresql":
            # One person's messages are never handled by two workers at once: a lock per
            # person, in one order (no deadlock), held until this batch commits.
            await self.conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(k, 2))"
                f" FROM unnest(ARRAY[{placeholders(len(keys))}]::text[]) AS k ORDER BY k",
                sorted({f"{c}\x1f{a}" for c, a in keys}),
            )
        rows = await self.conn.fetch(
            f"WITH k(channel, address) AS (VALUES {placeholders(len(keys), 2)})"
            f" SELECT {_COLUMNS}, s.flow, s.step, s.data, s.choices,"
            " EXISTS (SELECT 1 FROM volunteers v WHERE v.contact_id = c.id) AS is_volunteer,"
            " EXISTS (SELECT 1 FROM coordinators o"
            "  WHERE o.channel = c.channel AND o.address = c.address) AS is_coordinator,"
            " EXISTS (SELECT 1 FROM cases r WHERE r.reporter_contact_id = c.id"
            f"  AND r.status NOT IN ({_CLOSED})) AS has_open_reports"
            " FROM k JOIN contacts c ON c.channel = k.channel AND c.address = k.address"
            " LEFT JOIN conversations s ON s.contact_id = c.id",
            [part for key in keys for part in key],
        )
        found = {}
        for row in rows:
            contact = _contact(row)
            contact.is_volunteer = bool(row["is_volunteer"])
            contact.is_coordinator = bool(row["is_coordinator"])
            contact.has_open_reports = bool(row["has_open_reports"])
            found[(row["channel"], row["address"])] = (contact, _state(row))
        return found

    async def create(self, channel: str, address: str, locale: str | None, now: float) -> Contact:
        contact_id = await self.conn.fetchval(
            "INSERT INTO contacts (channel, address, locale, created_at) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            (channel, address, locale, now),
        )
        return Contact(
            id=int(contact_id), channel=channel, address=address, locale=locale, created_at=now
        )

    async def get(self, contact_id: int) -> Contact | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM contacts c WHERE c.id = ?", (contact_id,)
        )
        return _contact(row) if row else None

    async def find(self, channel: str, address: str) -> Contact | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM contacts c WHERE c.channel = ? AND c.address = ?",
            (channel, address),
        )
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
        return await self.conn.execute(
            "UPDATE conversations SET flow = 'menu', step = 'start', data = '{}', choices = '[]'"
            " WHERE flow = ? AND updated_at < ?",
            (flow, before),
        )

    async def forget_paused(self, key: str, before: float) -> int:
        # Rare rows, read in Python: the same SQL on SQLite and PostgreSQL, whatever JSON
        # functions each has.
        # Through conversations_paused (migration 0008, only rows holding a "paused:…" key),
        # whose condition must appear as written for the planner to use it.
        if not key.startswith("paused:"):
            raise ValueError(f"not a paused key: {key}")
        hint = " INDEXED BY conversations_paused" if self.conn.dialect == "sqlite" else ""
        rows = await self.conn.fetch(
            f"SELECT contact_id, data FROM conversations{hint}"
            " WHERE data LIKE '%\"paused:%' AND data LIKE ?",
            (f'%"{key}"%',),
        )
        stale = []
        for row in rows:
            data = json.loads(row["data"])
            entry = data.get(key)
            if isinstance(entry, dict) and float(entry.get("saved_at", 0)) < before:
                del data[key]
                stale.append((json.dumps(data, ensure_ascii=False), row["contact_id"]))
        if stale:
            await self.conn.executemany(
                "UPDATE conversations SET data = ? WHERE contact_id = ?", stale
            )
        return len(stale)

    async def mark_unreachable(self, contact_id: int, now: float) -> None:
        await self.conn.execute(
            "UPDATE contacts SET unreachable_at = ? WHERE id = ? AND unreachable_at IS NULL",
            (now, contact_id),
        )

    async def delete(self, contact_id: int) -> None:
        """Erase a contact: the row, its conversation and its queued messages (ON DELETE CASCADE)."""
        await self.conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
        self.conn.wants_checkpoint = True
