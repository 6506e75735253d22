"""A signed-in person's own account page: who they are in the console, their last sign-ins,
and changing their own password (current one first, the add-login rule, CSRF, every other
session signed out)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from bot.console import auth
from storage import accounts as accounts_store
from storage import console_audit as audit
from tests.console.helpers import PASSWORD, console_client, csrf_of, login

NEW = "a new longer pass phrase"


@asynccontextmanager
async def another_browser(app, address: str = "198.51.100.9") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def account_of(app, username: str) -> accounts_store.Account:
    engine = app.state.runtime.system.engine
    account = await engine.run(lambda tx: accounts_store.by_username(tx.sql, username))
    assert account is not None
    return account


async def change(http: httpx.AsyncClient, current: str, new: str, again: str | None = None):
    page = await http.get("/admin/account")
    return await http.post(
        "/admin/account/password",
        data={
            "csrf": csrf_of(page.text),
            "current": current,
            "new": new,
            "again": new if again is None else again,
        },
    )


async def test_the_account_page_shows_who_and_the_last_sign_ins(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        async with another_browser(app) as other:
            assert (await login(other, "jabar", "not my password")).status_code == 401
        clock.advance(60)
        await login(http, "jabar")
        page = await http.get("/admin/account", params={"lang": "en"})
        assert page.status_code == 200
        text = page.text
        assert "Koordinator Jabar" in text and "jabar" in text
        assert "coordinator: reads cases with contacts" in text
        assert "Jawa Barat" in text and "every province" not in text
        # newest first: this sign-in, then the wrong password from the other address
        at_me, at_other = text.index("203.0.113.7"), text.index("198.51.100.9")
        assert at_me < at_other
        assert "wrong password" in text[at_other:] and "signed in" in text[at_me:at_other]
        assert 'href="/admin/account"' in (await http.get("/admin/")).text  # from every page

        await http.post("/admin/logout", data={"csrf": csrf_of(page.text)})
        await login(http, "vera")
        viewer = (await http.get("/admin/account", params={"lang": "id"})).text
        assert "Vera Viewer" in viewer and "setiap provinsi" in viewer  # every province, id
        assert "198.51.100.9" not in viewer  # only their own sign-ins


async def test_changing_the_password_signs_out_every_other_browser(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app), another_browser(app) as other:
        await login(http, "ani")
        await login(other, "ani")
        assert (await other.get("/admin/")).status_code == 200
        assert "1 browser lain" in (await http.get("/admin/account")).text
        before = (await account_of(app, "ani")).password_hash

        # without the form's token: refused, nothing changed
        r = await http.post(
            "/admin/account/password", data={"current": PASSWORD, "new": NEW, "again": NEW}
        )
        assert r.status_code == 403
        r = await change(http, PASSWORD, "short", "short")
        assert r.status_code == 400 and "minimal 10 karakter" in r.text
        r = await change(http, PASSWORD, NEW, NEW + "!")
        assert r.status_code == 400
        r = await change(http, PASSWORD, PASSWORD)
        assert r.status_code == 400
        assert (await account_of(app, "ani")).password_hash == before
        assert (await account_of(app, "ani")).failed_logins == 0

        r = await change(http, PASSWORD, NEW)
        assert r.status_code == 303 and r.headers["location"] == "/admin/account?done=password"
        shown = await http.get(r.headers["location"] + "&lang=en")
        assert shown.status_code == 200 and "Your password is changed" in shown.text
        assert "0 other browsers" in shown.text

        stored = await account_of(app, "ani")
        assert stored.password_hash.startswith("$argon2id$")  # the add-login hashing
        assert auth.verify_password(stored.password_hash, NEW)
        assert not auth.verify_password(stored.password_hash, PASSWORD)
        assert stored.password_changed_at == clock.now()
        engine = app.state.runtime.system.engine
        [entry] = await engine.run(lambda tx: audit.for_target(tx.sql, f"account:{stored.id}"))
        assert (entry.actor, entry.action, entry.at) == (
            "coordinator:ani",
            "password_changed",
            clock.now(),
        )
        # the other browser is signed out; this one goes on
        r = await other.get("/admin/")
        assert r.status_code == 303 and "/admin/login" in r.headers["location"]
        assert (await http.get("/admin/cases")).status_code == 200
        async with another_browser(app, "192.0.2.1") as third:
            assert (await login(third, "ani", PASSWORD)).status_code == 401
            assert (await login(third, "ani", NEW)).status_code == 303


async def test_wrong_current_passwords_count_towards_the_lockout(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "jabar")
        for attempt in range(1, auth.LOCK_AFTER):
            r = await change(http, "guessing " + str(attempt), NEW)
            assert r.status_code == 400 and "salah" in r.text
            assert (await account_of(app, "jabar")).failed_logins == attempt
        r = await change(http, "guessing again", NEW)
        assert r.status_code == 429  # locked: now even the right one is refused for a while
        r = await change(http, PASSWORD, NEW)
        assert r.status_code == 429
        account = await account_of(app, "jabar")
        assert auth.verify_password(account.password_hash, PASSWORD)
        assert account.locked_until and account.locked_until > clock.now()
        # the wrong ones are listed among the account's sign-ins
        listed = (await http.get("/admin/account", params={"lang": "en"})).text
        assert listed.count("wrong password") >= auth.LOCK_AFTER
