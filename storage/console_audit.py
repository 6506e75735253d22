"""The console's own history: actions that are not about one case (those go to the case's
history, case_events). Each entry: when, who (`coordinator:<username>`), what (`ACTIONS`),
on what (`volunteer:<id>`, `volunteers` for the list, `account:<id>`), and a few key=value details, never personal
data."""

from __future__ import annotations

from dataclasses import dataclass

from storage.sql import Connection

ACTIONS = (
    "volunteer_settings",  # capacity, away, languages saved
    "volunteer_import",  # a CSV list imported: how many lines in and how many refused
    "volunteer_deactivated",
    "password_changed",  # an account's own password, from its account page
)


@dataclass
class Entry:
    at: float
    actor: str
    action: str
    target: str
    detail: dict[str, str]


async def record(
    conn: Connection, at: float, actor: str, action: str, target: str = "", **detail: object
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown console action {action!r}")
    text = ";".join(f"{k}={v}" for k, v in detail.items())
    await conn.execute(
        "INSERT INTO console_audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        (at, actor, action, target, text),
    )


async def for_target(conn: Connection, target: str, limit: int = 50) -> list[Entry]:
    rows = await conn.fetch(
        "SELECT at, actor, action, target, detail FROM console_audit WHERE target = ?"
        " ORDER BY at DESC, id DESC LIMIT ?",
        (target, limit),
    )
    return [Entry(float(r[0]), r[1], r[2], r[3], _detail(r[4])) for r in rows]


def _detail(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)
