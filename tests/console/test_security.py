"""The console's locks: sessions, roles, provinces, CSRF, lockout, escaping, CSV cells."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from bot.console import auth
from bot.console.export import neutralise
from storage import cases as cases_store
from tests.console.helpers import PASSWORD, console_client, csrf, csrf_of, login

PAGES = [
    "/admin/",
    "/admin/cases",
    "/admin/volunteers",
    "/admin/volunteers/1",
    "/admin/map",
    "/admin/export.csv",
]


def listed(html: str) -> set[str]:
    """The case numbers a page links to."""
    return set(re.findall(r'href="/admin/cases/(MA-[0-9A-Z]{5})"', html))


async def events_of(app, number: str) -> list[cases_store.Event]:
    engine = app.state.runtime.system.engine
    case = await engine.run(lambda c: c.cases.by_number(number))
    return await engine.run(lambda c: c.cases.events(case.id))


async def test_every_page_and_action_without_a_session_goes_to_the_login(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        for path in [*PAGES, f"/admin/cases/{seeded.java}"]:
            r = await http.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/admin/login?next="), path
        before = await events_of(app, seeded.java)
        for action in ("assign", "status", "note", "contact"):
            r = await http.post(
                f"/admin/cases/{seeded.java}/{action}",
                data={"volunteer": "1", "status": "resolved", "note": "x"},
            )
            assert r.status_code == 303 and "/admin/login" in r.headers["location"]
        assert await events_of(app, seeded.java) == before  # nothing happened
        page = await http.get("/admin/login")
        assert page.status_code == 200 and 'type="password"' in page.text


async def test_login_sets_a_hardened_cookie_and_logout_kills_the_session(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock, base_url="https://console.example") as (http, _app):
        r = await login(http, "ani")
        assert r.status_code == 303 and r.headers["location"] == "/admin/"
        cookie = next(
            v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith(auth.COOKIE)
        )
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
        assert "Path=/admin" in cookie
        home = await http.get("/admin/")
        assert home.status_code == 200 and "Ani Koordinator" in home.text
        assert home.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
        stolen = http.cookies.get(auth.COOKIE)
        r = await http.post("/admin/logout", data={"csrf": await csrf(http)})
        assert r.status_code == 303
        http.cookies.set(auth.COOKIE, stolen, domain="console.example", path="/admin")
        again = await http.get("/admin/")
        assert again.status_code == 303 and "/admin/login" in again.headers["location"]


async def test_a_session_ends_after_its_hours_and_when_idle(db_path: Path, clock, seeded) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "ani")
        assert (await http.get("/admin/")).status_code == 200
        clock.advance(auth.SESSION_HOURS * 3600 + 1)
        assert (await http.get("/admin/")).status_code == 303
        await login(http, "ani")
        assert (await http.get("/admin/")).status_code == 200
        app.state.console.cookies.idle_seconds = -1  # as if the cookie was last signed too long ago
        assert (await http.get("/admin/")).status_code == 303


async def test_wrong_passwords_lock_the_account_even_for_the_right_one(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, _app):
        for _ in range(auth.LOCK_AFTER - 1):
            r = await login(http, "ani", "wrong password")
            assert r.status_code == 401 and "admin/login" not in r.headers.get("location", "")
        r = await login(http, "ani", "wrong password")
        assert r.status_code == 429
        r = await login(http, "ani")  # the right password, during the lockout
        assert r.status_code == 429 and auth.COOKIE not in r.headers.get("set-cookie", "")
        assert (await http.get("/admin/")).status_code == 303
        # the other accounts are not locked; after the lock time the right password works
        assert (await login(http, "vera")).status_code == 303
        clock.advance(auth.LOCK_MINUTES * 60 + 1)
        assert (await login(http, "ani")).status_code == 303


async def test_one_address_guessing_across_accounts_is_slowed(db_path: Path, clock, seeded) -> None:
    async with console_client(db_path, clock) as (http, app):
        app.state.console.limiter.attempts = 3
        for name in ("nobody", "someone", "ani"):
            assert (await login(http, name, "guess")).status_code == 401
        assert (await login(http, "vera")).status_code == 429


async def test_a_form_without_its_csrf_token_is_refused(db_path: Path, clock, seeded) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "ani")
        before = await events_of(app, seeded.java)
        for data in ({"note": "x"}, {"note": "x", "csrf": "forged"}):
            r = await http.post(f"/admin/cases/{seeded.java}/note", data=data)
            assert r.status_code == 403
        r = await http.post(f"/admin/cases/{seeded.java}/assign", data={"volunteer": "2"})
        assert r.status_code == 403
        assert (await http.post("/admin/logout")).status_code == 403
        assert await events_of(app, seeded.java) == before
        # the login form has its own token
        http.cookies.clear()
        r = await http.post("/admin/login", data={"username": "ani", "password": "x"})
        assert r.status_code == 403


async def test_a_viewer_sees_no_personal_data_and_cannot_act(db_path: Path, clock, seeded) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "vera")
        page = await http.get(f"/admin/cases/{seeded.java}")
        assert page.status_code == 200 and seeded.java in page.text
        for secret in ("Bu Sri", "0812 3456 7890", "sponsor datang", "0813 0000 1111", "rel-"):
            assert secret not in page.text, secret
        assert "/assign" not in page.text and "/contact" not in page.text
        token = await csrf(http)
        before = await events_of(app, seeded.java)
        for action in ("assign", "status", "note", "contact"):
            r = await http.post(
                f"/admin/cases/{seeded.java}/{action}",
                data={"csrf": token, "volunteer": "2", "status": "resolved", "note": "x"},
            )
            assert r.status_code == 403, action
        assert (
            await http.post("/admin/export.csv", data={"csrf": token, "query": ""})
        ).status_code == 403
        assert (
            await http.post("/admin/volunteers/1/deactivate", data={"csrf": token})
        ).status_code == 403
        assert await events_of(app, seeded.java) == before
        plain = (await http.get("/admin/export.csv")).text
        assert "Bu Sri" not in plain and "reporter_reach" not in plain and seeded.java in plain
        # searching by the recruiter's phone or name finds nothing for a viewer
        for q in ("0812 3456 7890", "Sri"):
            listing = await http.get("/admin/cases", params={"q": q})
            assert listed(listing.text) == set()
        volunteers = await http.get("/admin/volunteers/1")
        assert "rel-indramayu" not in volunteers.text


async def test_a_province_coordinator_cannot_open_another_province_by_url(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "jabar")
        assert (await http.get(f"/admin/cases/{seeded.java}")).status_code == 200
        assert (await http.get(f"/admin/cases/{seeded.papua}")).status_code == 404
        listing = await http.get("/admin/cases")
        assert listed(listing.text) == {seeded.java}
        assert listed((await http.get("/admin/cases", params={"q": seeded.papua})).text) == set()
        assert listed((await http.get("/admin/cases", params={"province": "91"})).text) == {
            seeded.java
        }
        token = await csrf(http)
        before = await events_of(app, seeded.papua)
        r = await http.post(f"/admin/cases/{seeded.papua}/contact", data={"csrf": token})
        assert r.status_code == 404
        r = await http.post(
            f"/admin/cases/{seeded.papua}/assign", data={"csrf": token, "volunteer": "1"}
        )
        assert r.status_code == 404
        assert await events_of(app, seeded.papua) == before
        exported = (await http.get("/admin/export.csv")).text
        assert seeded.java in exported and seeded.papua not in exported
        dashboard = await http.get("/admin/")
        assert listed(dashboard.text) == set()  # the escalated Papua case is not theirs


def offered(html: str) -> dict[str, int]:
    """The volunteers an assign form offers: name -> id."""
    found = re.findall(r'name="volunteer" value="(\d+)"[^>]*>\s*<b>([^<]+)</b>', html)
    return {name: int(vid) for vid, name in found}


async def test_a_province_coordinator_sees_and_assigns_only_volunteers_of_their_provinces(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "ani")  # every province: Surabaya (Jawa Timur) is offered too
        everyone = offered((await http.get(f"/admin/cases/{seeded.java}")).text)
        assert {"Relawan Cirebon", "Relawan Surabaya"} <= set(everyone)
        surabaya = everyone["Relawan Surabaya"]
        await http.post("/admin/logout", data={"csrf": await csrf(http)})

        await login(http, "jabar")
        page = await http.get(f"/admin/cases/{seeded.java}")
        mine = offered(page.text)
        assert "Relawan Cirebon" in mine and "Relawan Surabaya" not in mine
        assert "Relawan Surabaya" not in (await http.get("/admin/volunteers")).text

        # a forged form naming the Jawa Timur volunteer: refused, nothing recorded or sent
        before = await events_of(app, seeded.java)
        engine = app.state.runtime.system.engine
        r = await http.post(
            f"/admin/cases/{seeded.java}/assign",
            data={"csrf": await csrf(http), "volunteer": str(surabaya)},
        )
        assert r.status_code == 403 and "tidak berada di provinsi Anda" in r.text
        assert await events_of(app, seeded.java) == before
        assert not await engine.run(lambda c: c.outbox.pending_for("console", "rel-surabaya"))
        case = await engine.run(lambda c: c.cases.by_number(seeded.java))
        assert case.offered_to != surabaya and case.volunteer_id != surabaya

        # one of their own: carried out
        r = await http.post(
            f"/admin/cases/{seeded.java}/assign",
            data={"csrf": await csrf(http), "volunteer": str(mine["Relawan Cirebon"])},
        )
        assert r.status_code == 303 and r.headers["location"].endswith("done=assigned")
        alerts = await engine.run(lambda c: c.outbox.pending_for("console", "rel-cirebon"))
        assert any(seeded.java in m.reply.text and m.kind == "alert" for m in alerts)


async def test_a_province_coordinator_imports_volunteers_only_into_their_provinces(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "jabar")
        csv_text = (
            "name,channel,address,place\n"
            "Relawan Bandung,console,rel-bandung,Kota Bandung\n"
            "Relawan Malang,console,rel-malang,Kota Malang\n"  # Jawa Timur
            "Relawan Surabaya,console,rel-surabaya,Kota Bandung\n"  # moving Jawa Timur's
        )
        r = await http.post(
            "/admin/volunteers/import?lang=en",
            data={"csrf": await csrf(http)},
            files={"file": ("v.csv", csv_text.encode(), "text/csv")},
        )
        assert "1 volunteer imported or updated." in r.text
        assert "line 3: the place is outside the provinces of your account" in r.text
        assert "line 4: the place is outside the provinces of your account" in r.text
        people = {
            v.name: v
            for v in await app.state.runtime.system.engine.run(lambda c: c.volunteers.all())
        }
        assert people["Relawan Bandung"].place_code.startswith("32")
        assert "Relawan Malang" not in people
        assert people["Relawan Surabaya"].place_code.startswith("35")  # not moved


async def test_a_province_coordinator_learns_nothing_of_linked_reports_elsewhere(
    db_path: Path, clock, seeded
) -> None:
    # both seeded reports name the same recruiter: one in Jawa Barat, one in Papua
    async with console_client(db_path, clock) as (http, _app):
        await login(http, "ani")
        page = await http.get(f"/admin/cases/{seeded.java}", params={"lang": "en"})
        assert "1 other report mentions this recruiter." in page.text
        await http.post("/admin/logout", data={"csrf": csrf_of(page.text)})
        await login(http, "jabar")
        page = await http.get(f"/admin/cases/{seeded.java}", params={"lang": "en"})
        assert page.status_code == 200 and "mentions this recruiter" not in page.text


async def test_filter_values_with_quotes_and_markup_are_harmless(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, _app):
        await login(http, "ani")
        nasty = "<script>alert(1)</script>' OR '1'='1\" --"
        r = await http.get(
            "/admin/cases",
            params={
                "q": nasty,
                "status": "' OR 1=1 --",
                "province": "<b>",
                "flag": '"x',
                "from": "<i>",
                "page": "-1",
            },
        )
        assert r.status_code == 200
        assert "<script>alert(1)</script>" not in r.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
        assert listed(r.text) == set()  # the quote did not widen the search
        r = await http.get("/admin/cases", params={"status": "' OR 1=1 --"})
        assert r.status_code == 200 and len(listed(r.text)) == 2  # ignored, not injected
        for wildcard in ("%", "_", "%%"):  # LIKE wildcards are searched as themselves
            r = await http.get("/admin/cases", params={"q": wildcard})
            assert listed(r.text) == set(), wildcard
        assert len(listed((await http.get("/admin/cases", params={"q": "sri"})).text)) == 2
        r = await http.get("/admin/export.csv", params={"q": nasty})
        assert r.status_code == 200 and r.text.count("\n") == 1  # the header only
        r = await http.get("/admin/login", params={"next": "https://evil.example/"})
        assert 'name="next" value=""' in r.text  # never sent off-site after signing in
        http.cookies.clear()
        page = await http.get("/admin/login")
        r = await http.post(
            "/admin/login",
            data={
                "username": "ani",
                "password": PASSWORD,
                "csrf": csrf_of(page.text),
                "next": "//evil.example/admin/",
            },
        )
        assert r.headers["location"] == "/admin/"


def test_cells_a_spreadsheet_would_run_are_neutralised() -> None:
    for raw in ('=HYPERLINK("http://x")', "+62 812", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(raw) == "'" + raw
    for raw in ("Bu Sri", "62812", "", "a=b"):
        assert neutralise(raw) == raw


async def test_an_export_with_contacts_is_neutralised_and_audited(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        engine = app.state.runtime.system.engine

        async def poison(conn):
            case = await conn.cases.by_number(seeded.java)
            await conn.cases.update(
                case.id,
                clock.now(),
                recruiter_name="=cmd|' /C calc'!A0",
                recruiter_phone="+62 812 3456 7890",
                description="@SUM(1+1)",
            )

        await engine.run(poison)
        await login(http, "ani")
        r = await http.post(
            "/admin/export.csv", data={"csrf": await csrf(http), "query": "urgent=0"}
        )
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = {row["number"]: row for row in csv.DictReader(io.StringIO(r.text))}
        row = rows[seeded.java]
        assert row["recruiter_name"] == "'=cmd|' /C calc'!A0"
        assert row["recruiter_phone"] == "'+62 812 3456 7890"
        assert row["description"] == "'@SUM(1+1)"
        assert row["reporter_reach"] == "0813 0000 1111"
        for number in rows:
            kinds = [(e.kind, e.actor) for e in await events_of(app, number)]
            assert ("contact_exported", "coordinator:ani") in kinds
