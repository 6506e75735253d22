"""What a coordinator does in the console, and what the people on the other end receive."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from storage import accounts as accounts_store
from tests.console.helpers import console_client, csrf, login

ROOT = Path(__file__).resolve().parents[2]


def words(html: str) -> str:
    return " ".join(html.split())


async def run(app, task):
    return await app.state.runtime.system.engine.run(task)


async def test_assigning_a_case_alerts_the_volunteer_through_the_outbox(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "ani")
        page = await http.get(f"/admin/cases/{seeded.papua}")
        assert page.status_code == 200
        assert "Relawan Surabaya" in page.text and "km" in page.text  # nearest first, with distance
        names = re.findall(r'name="volunteer" value="(\d+)"[^>]*>\s*<b>([^<]+)</b>', page.text)
        # Jayapura: every volunteer is in Java; Surabaya is the nearest of them
        assert names[0][1] == "Relawan Surabaya", names
        surabaya = int(names[0][0])
        r = await http.post(
            f"/admin/cases/{seeded.papua}/assign",
            data={"csrf": await csrf(http), "volunteer": str(surabaya)},
        )
        assert r.status_code == 303 and r.headers["location"].endswith("done=assigned")
        alerts = await run(app, lambda c: c.outbox.pending_for("console", "rel-surabaya"))
        assert any(seeded.papua in m.reply.text and m.kind == "alert" for m in alerts)
        case = await run(app, lambda c: c.cases.by_number(seeded.papua))
        assert case.status == "alerted" and case.offered_to == surabaya
        events = await run(app, lambda c: c.cases.events(case.id))
        assert (events[-1].actor, events[-1].kind) == ("coordinator:ani", "assigned")
        shown = await http.get(r.headers["location"])
        assert (
            "Coordinator ani gave the case to Relawan Surabaya" in shown.text
            or "Koordinator ani" in shown.text
        )


async def test_status_note_and_contact_are_recorded_with_who_and_when(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "ani")
        token = await csrf(http)
        page = await http.post(f"/admin/cases/{seeded.java}/contact", data={"csrf": token})
        assert page.status_code == 200 and "0813 0000 1111" in page.text
        clock.advance(60)
        r = await http.post(
            f"/admin/cases/{seeded.java}/note", data={"csrf": token, "note": "Called the family."}
        )
        assert r.headers["location"].endswith("done=note")
        r = await http.post(
            f"/admin/cases/{seeded.java}/status",
            data={"csrf": token, "status": "referred_bp3mi", "note": ""},
        )
        assert r.headers["location"].endswith("done=status")
        case = await run(app, lambda c: c.cases.by_number(seeded.java))
        assert case.status == "referred_bp3mi" and case.offered_to is None
        events = await run(app, lambda c: c.cases.events(case.id))
        mine = [(e.kind, e.actor) for e in events if e.actor == "coordinator:ani"]
        assert mine == [
            ("contact_viewed", "coordinator:ani"),
            ("note", "coordinator:ani"),
            ("status", "coordinator:ani"),
        ]
        assert events[-1].at == clock.now()
        # the reporter hears it in their language; the volunteer whose alert is now void too
        told = await run(app, lambda c: c.outbox.pending_for("console", "ibu-siti"))
        assert "dirujuk ke BP3MI" in told[-1].reply.text or "BP3MI" in told[-1].reply.text
        history = await http.get(f"/admin/cases/{seeded.java}?lang=en")
        history.text_ = unescape(history.text)
        assert "Coordinator ani viewed the reporter's contact." in history.text_
        assert "Coordinator ani added a note: Called the family." in history.text_
        assert "Coordinator ani set the status to: referred to BP3MI." in history.text_
        # closing ends it: no more actions offered
        r = await http.post(
            f"/admin/cases/{seeded.java}/status", data={"csrf": token, "status": "resolved"}
        )
        closed = await http.get(f"/admin/cases/{seeded.java}")
        assert "/assign" not in closed.text


async def test_the_viewer_sees_that_a_note_exists_but_not_its_text(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, _app):
        await login(http, "ani")
        await http.post(
            f"/admin/cases/{seeded.java}/note",
            data={"csrf": await csrf(http), "note": "Ibu Siti, Blok C"},
        )
        http.cookies.clear()
        await login(http, "vera")
        page = await http.get(f"/admin/cases/{seeded.java}?lang=en")
        assert "Coordinator ani added a note." in page.text and "Blok C" not in page.text


async def test_an_escalation_reads_as_a_sentence_in_the_history(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, _app):
        await login(http, "ani")
        page = await http.get(f"/admin/cases/{seeded.papua}?lang=en")
        # nobody near, and no coordinator in chat in this seed: said so, in words
        assert (
            "No volunteer took it (no available volunteer within 150 km) and no coordinator"
            " could be reached." in page.text
        )
        for code in ("nobody_near", "told=", "{&#34;km", '{"km'):
            assert code not in page.text, code


async def test_dashboard_lists_and_counts(db_path: Path, clock, seeded) -> None:
    async with console_client(db_path, clock) as (http, _app):
        await login(http, "ani")
        home = await http.get("/admin/?lang=en")
        assert home.status_code == 200
        assert seeded.papua in home.text  # unassigned: nobody near Jayapura
        assert "Reports per week" in home.text and "<rect" in home.text
        assert "fee asked up front" in home.text  # the story's warning signs are counted
        home_id = await http.get("/admin/?lang=id")
        assert "Kasus terbuka" in home_id.text and 'lang="id"' in home_id.text
        # the chosen language sticks
        assert "Kasus terbuka" in (await http.get("/admin/")).text
        clock.advance(3 * 3600)  # past the alert deadline (nobody ran the scheduler)
        home = await http.get("/admin/?lang=en")
        overdue = home.text.split("Past the deadline")[1].split("</section>")[0]
        assert seeded.java in overdue


async def test_cases_filters_and_search(db_path: Path, clock, seeded) -> None:
    async with console_client(db_path, clock) as (http, _app):
        await login(http, "ani")

        async def numbers(**params) -> set[str]:
            page = await http.get("/admin/cases", params=params)
            assert page.status_code == 200
            return set(re.findall(r'href="/admin/cases/(MA-[0-9A-Z]{5})"', page.text))

        both = {seeded.java, seeded.papua}
        assert await numbers() == both
        assert await numbers(status="escalated") == {seeded.papua}
        assert await numbers(status="waiting") == both
        assert await numbers(province="32") == {seeded.java}
        assert await numbers(province="32", place="3212") == {seeded.java}
        assert await numbers(place="9103") == {seeded.papua}
        assert await numbers(flag="upfront_fee") == both
        assert await numbers(flag="passport_retention") == set()
        assert await numbers(urgent="1") == set()
        assert await numbers(q=seeded.java.lower().replace("-", " ")) == {seeded.java}
        assert await numbers(q="+62 812-3456-7890") == both  # the recruiter phone, any spelling
        assert await numbers(q="bu sri") == both
        assert await numbers(**{"from": "2001-01-01", "to": "2001-12-31"}) == set()
        assert await numbers(**{"from": "2026-01-01"}) == both


async def test_volunteers_import_with_line_numbered_errors_edit_and_deactivate(
    db_path: Path, clock, seeded
) -> None:
    async with console_client(db_path, clock) as (http, app):
        await login(http, "ani")
        listing = await http.get("/admin/volunteers?lang=en")
        assert "Relawan Indramayu" in listing.text and "0 of 2 cases" in listing.text
        csv_text = (
            "name,channel,address,place\n"
            "Relawan Jayapura,console,rel-jayapura,Kabupaten Jayapura\n"
            "Tanpa Tempat,console,rel-x,Atlantis\n"
            "Salah Kanal,fax,123,Kota Surabaya\n"
        )
        r = await http.post(
            "/admin/volunteers/import?lang=en",
            data={"csrf": await csrf(http)},
            files={"file": ("v.csv", csv_text.encode(), "text/csv")},
        )
        assert r.status_code == 200
        assert "1 volunteer imported or updated." in r.text
        assert "line 3: unknown or ambiguous place 'Atlantis'" in unescape(r.text)
        assert "line 4: channel must be one of" in r.text
        assert "coordinator ani · 1 line imported, 2 refused" in r.text  # who, when, how many
        people = await run(app, lambda c: c.volunteers.all())
        jayapura = next(v for v in people if v.name == "Relawan Jayapura")
        token = await csrf(http)
        r = await http.post(
            f"/admin/volunteers/{jayapura.id}",
            data={"csrf": token, "capacity": "0", "lang_id": "on"},
        )
        assert r.status_code == 400
        r = await http.post(
            f"/admin/volunteers/{jayapura.id}",
            data={"csrf": token, "capacity": "4", "lang_en": "on", "away": "on"},
        )
        assert r.status_code == 303
        v = await run(app, lambda c: c.volunteers.get(jayapura.id))
        assert (v.capacity, v.languages, v.available) == (4, "en", False)
        page = await http.get(f"/admin/volunteers/{jayapura.id}?lang=en")
        assert "coordinator ani · capacity 4, away, languages: en" in words(page.text)

        # deactivating the volunteer who has the Java alert: it moves to the next one
        case = await run(app, lambda c: c.cases.by_number(seeded.java))
        first = case.offered_to
        r = await http.post(f"/admin/volunteers/{first}/deactivate", data={"csrf": token})
        assert r.status_code == 303
        case = await run(app, lambda c: c.cases.by_number(seeded.java))
        assert case.offered_to not in (None, first) and case.status == "alerted"
        page = await http.get("/admin/volunteers?lang=en")
        assert "deactivated" in page.text
        page = await http.get(f"/admin/volunteers/{first}?lang=en")
        assert "coordinator ani · deactivated" in words(page.text)


async def test_the_map_draws_the_outline_and_places(db_path: Path, clock, seeded) -> None:
    async with console_client(db_path, clock) as (http, _app):
        await login(http, "ani")
        page = await http.get("/admin/map?lang=en")
        assert page.status_code == 200
        assert page.text.count('<path d="M') >= 10  # Natural Earth rings
        assert "Kabupaten Jayapura: 1 report, 0 volunteers" in page.text
        assert "Kabupaten Indramayu: 1 report, 1 volunteer" in page.text
        assert 'href="/admin/cases?place=9103"' in page.text


@pytest.mark.sqlite_only  # reads the SQLite file the command wrote
def test_add_login_from_the_command_line(tmp_path: Path, monkeypatch, capsys) -> None:
    import io
    import sqlite3

    from bot.cli import main

    db = tmp_path / "cli.db"
    argv = [
        "coordinators",
        "add-login",
        "siti",
        "--role",
        "viewer",
        "--province",
        "Jawa Barat",
        "--province",
        "35",
        "--password-stdin",
        "--db",
        str(db),
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(argv) == 2 and "10 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough secret\n"))
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "viewer" in out and "32, 35" in out
    row = (
        sqlite3.connect(db)
        .execute("SELECT password_hash, role, provinces FROM console_accounts")
        .fetchone()
    )
    assert row[0].startswith("$argon2id$") and "a long enough secret" not in row[0]
    assert row[1:] == ("viewer", "32;35")
    assert main(["coordinators", "remove-login", "siti", "--db", str(db)]) == 0
    assert sqlite3.connect(db).execute("SELECT disabled FROM console_accounts").fetchone() == (1,)
    assert (
        main(
            [
                "coordinators",
                "add-login",
                "x",
                "--province",
                "Atlantis",
                "--password-stdin",
                "--db",
                str(db),
            ]
        )
        == 2
    )
    assert accounts_store.ROLES == ("coordinator", "viewer")
