"""Coordinators (the chat registry; web-console logins live elsewhere)."""

from __future__ import annotations

from typing import Any

import storage.base as base
from storage.coordinators import Coordinator
from storage.sql import Connection

_COLUMNS = "id, channel, address, name, provinces"


def _coordinator(row: Any) -> Coordinator:
    provinces = tuple(p for p in (row[4] or "").split(";") if p)
    return Coordinator(int(row[0]), row[1], row[2], row[3], provinces)


class SQLCoordinators(base.Coordinators):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(
        self, channel: str, address: str, name: str, provinces: tuple[str, ...], now: float
    ) -> int:
        value = await self.conn.fetchval(
            "INSERT INTO coordinators (channel, address, name, provinces, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, address) DO UPDATE SET"
            " name = excluded.name, provinces = excluded.provinces RETURNING id",
            (channel, address, name, ";".join(provinces), now),
        )
        return int(value)

    async def all(self) -> list[Coordinator]:
        rows = await self.conn.fetch(f"SELECT {_COLUMNS} FROM coordinators ORDER BY id")
        return [_coordinator(row) for row in rows]

    async def get(self, coordinator_id: int) -> Coordinator | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM coordinators WHERE id = ?", (coordinator_id,)
        )
        return _coordinator(row) if row else None

    async def find(self, channel: str, address: str) -> Coordinator | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM coordinators WHERE channel = ? AND address = ?",
            (channel, address),
        )
        return _coordinator(row) if row else None

    async def remove(self, channel: str, address: str) -> bool:
        return bool(
            await self.conn.execute(
                "DELETE FROM coordinators WHERE channel = ? AND address = ?", (channel, address)
            )
        )
