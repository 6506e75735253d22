"""A console on a seeded database: volunteers, a report in Jawa Barat and one in Papua, and
three accounts (a coordinator, a viewer, a coordinator for Jawa Barat only)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from bot.config import Settings
from bot.console.auth import hash_password
from bot.web import create_app
from storage import accounts as accounts_store
from tests.fakes.clock import ManualClock
from tests.helpers import ConsoleDriver, add_volunteers, report_from, running

PASSWORD = "correct horse battery"
# The stored hash names its own parameters: cheap ones keep the tests fast; verification is
# the same code path as with the defaults.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
ACCOUNTS = (
    ("ani", "Ani Koordinator", "coordinator", ()),
    ("vera", "Vera Viewer", "viewer", ()),
    ("jabar", "Koordinator Jabar", "coordinator", ("32",)),
)


@dataclass
class Seeded:
    java: str  # a case number in Kabupaten Indramayu (Jawa Barat, 32), offered to a volunteer
    papua: str  # a case number in Kabupaten Jayapura (Papua, 91), escalated: nobody near


async def seed(db: Path, clock: ManualClock) -> Seeded:
    async with running(db, clock=clock) as system:
        await add_volunteers(system)
        java = await report_from(ConsoleDriver(system, "ibu-siti"))
        papua = await report_from(ConsoleDriver(system, "pak-budi"), place="Jayapura")
        now = clock.now()
        digest = hash_password(PASSWORD, CHEAP)
        for username, name, role, provinces in ACCOUNTS:
            await system.engine.run(
                lambda tx, u=username, n=name, r=role, p=provinces: accounts_store.create(
                    tx.sql, u, n, digest, r, p, now
                )
            )
    return Seeded(java, papua)


@asynccontextmanager
async def console_client(
    db: Path, clock: ManualClock, base_url: str = "http://testserver", **settings: object
) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    app = create_app(replace(Settings(), database_path=db, **settings), clock=clock, dispatch=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            yield http, app


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html[:2000]
    return m.group(1)


async def login(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    page = await http.get("/admin/login")
    return await http.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf": csrf_of(page.text), "next": ""},
    )


async def csrf(http: httpx.AsyncClient) -> str:
    return csrf_of((await http.get("/admin/cases")).text)
