"""Casework (issue 11) through the console: relay both ways, the reporter adding to their
case, abuse blocks, coordinators (list, open, assign, take, close, a race), escalation that
tells the truth, a volunteer who leaves, reports from abroad, and erasure that erases."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from bot.scheduler import tick
from tests.fakes.clock import ManualClock
from tests.helpers import ConsoleDriver, add_volunteers, report_from, running


def option(out: str, label: str) -> str:
    """The number in front of a choice whose label contains `label` (any language)."""
    for line in out.splitlines():
        m = re.match(r"^(\d+)\. (.*)$", line.strip())
        if m and label.lower() in m.group(2).lower():
            return m.group(1)
    raise AssertionError(f"no choice {label!r} in:\n{out}")


async def case_row(system, number: str):
    return await system.engine.run(lambda tx: tx.cases.by_number(number))


async def kinds(system, number: str) -> list[str]:
    case = await case_row(system, number)
    return [e.kind for e in await system.engine.run(lambda tx: tx.cases.events(case.id))]


async def accepted_case(system, *, anonymous: bool = True):
    await add_volunteers(system)
    reporter = ConsoleDriver(system, "ibu-siti")
    number = await report_from(reporter, anonymous=anonymous)
    volunteer = ConsoleDriver(system, "rel-indramayu")
    await volunteer.send("/as rel-indramayu")
    case_view = await volunteer.send("1")  # accept
    return reporter, volunteer, number, case_view


async def test_relay_both_ways_with_an_anonymous_reporter(db_path: Path) -> None:
    async with running(db_path) as system:
        reporter, volunteer, number, view = await accepted_case(system)
        told = await reporter.send("/as ibu-siti")
        assert "Relawan" in told and number in told  # first name, and what happens next
        out = await volunteer.send("/as rel-indramayu")
        await volunteer.send(option(view, "Tulis ke pelapor"))
        sent = await volunteer.send("Ibu, apakah paspor anak masih dipegang sponsor?")
        assert number in sent
        got = await reporter.send("/as ibu-siti")
        assert "paspor anak masih dipegang" in got and number in got
        assert "rel-indramayu" not in got  # no handle of the volunteer
        back = await reporter.send("Iya pak, paspor dipegang Bu Sri sejak kemarin")
        assert number in back
        out = await volunteer.send("/as rel-indramayu")
        assert "paspor dipegang Bu Sri" in out
        assert "ibu-siti" not in out  # anonymous: no handle, no number
        history = await kinds(system, number)
        assert history.count("relay") == 2


async def test_reporter_adds_information_typed_at_the_menu_and_a_location(db_path: Path) -> None:
    async with running(db_path) as system:
        reporter, volunteer, number, _view = await accepted_case(system, anonymous=False)
        await reporter.send("/as ibu-siti")
        out = await reporter.send(
            "Pak relawan, ini tambahan info: sponsornya datang lagi malam ini"
        )
        assert number in out and "Maaf, saya belum mengerti" not in out
        menu = await reporter.send("menu")
        await reporter.send(option(menu, "Laporan saya"))
        report_view = await reporter.send("1")  # the only report is shown; write / add
        assert number in report_view
        await reporter.send("/location -6.33 108.32")
        inbox = await volunteer.send("/as rel-indramayu")
        assert "sponsornya datang lagi" in inbox and "-6.33" in inbox


async def test_abuse_block_stops_the_reporter(db_path: Path) -> None:
    async with running(db_path, relay_max_chars=200) as system:
        reporter, volunteer, number, view = await accepted_case(system)
        await reporter.send("/as ibu-siti")
        too_long = await reporter.send("reply " + number + " " + "x" * 300)
        assert "200" in too_long
        await volunteer.send("/as rel-indramayu")
        await volunteer.send("kasus " + number)
        stopped = await volunteer.send(option(view, "Hentikan pesan dari pelapor"))
        assert number in stopped
        await reporter.send("/as ibu-siti")
        refused = await reporter.send("reply " + number + " kamu jelek sekali")
        assert "dihentikan" in refused or "stopped" in refused
        assert "relay_blocked" in await kinds(system, number)


async def test_coordinator_lists_opens_assigns_takes_and_closes(db_path: Path) -> None:
    clock = ManualClock()
    async with running(db_path, clock=clock, max_route_attempts=1) as system:
        await add_volunteers(system)
        await system.engine.run(
            lambda tx: tx.coordinators.add("console", "koord", "Ibu Ani", (), 0.0)
        )
        reporter = ConsoleDriver(system, "ibu-siti")
        number = await report_from(reporter)
        clock.advance(3 * 3600)
        await tick(system.engine)  # nobody answered: unassigned, the coordinator told
        assert (await case_row(system, number)).status == "escalated"
        told = await reporter.send("/as ibu-siti")
        assert "koordinator" in told.lower() and "0800-1000" in told

        coord = ConsoleDriver(system, "koord")
        alert = await coord.send("/as koord")
        assert number in alert
        queue = await coord.send("koordinator")
        assert number in queue
        opened = await coord.send(option(queue, number))
        assert "0813 0000 1111" in opened  # full details, and the read is audited
        assert "opened" in await kinds(system, number)
        candidates = await coord.send(option(opened, "Berikan ke relawan"))  # assign
        picked = await coord.send(option(candidates, "Relawan Indramayu"))
        assert "Relawan Indramayu" in picked
        case = await case_row(system, number)
        assert case.status == "alerted"
        inbox = await ConsoleDriver(system, "rel-indramayu").send("/as rel-indramayu")
        assert number in inbox

        view = await coord.send("kasus " + number)
        taken = await coord.send(option(view, "sendiri"))  # take it myself
        assert number in taken and (await case_row(system, number)).status == "accepted"
        closed = await coord.send(option(taken, "Tutup"))
        assert (await case_row(system, number)).status == "resolved"
        assert number in closed
        news = await reporter.send("/as ibu-siti")
        assert "selesai" in news.lower() or "resolved" in news.lower()


async def test_two_coordinators_race_the_first_wins_the_second_is_told(db_path: Path) -> None:
    async with running(db_path, coordinator_address="console:koord-b") as system:
        await add_volunteers(system)
        await system.engine.run(lambda tx: tx.coordinators.add("console", "koord-a", "A", (), 0.0))
        number = await report_from(ConsoleDriver(system, "ibu-papua"), place="Kabupaten Merauke")
        a, b = ConsoleDriver(system, "koord-a"), ConsoleDriver(system, "koord-b")
        view_a = await a.send("kasus " + number)
        view_b = await b.send("kasus " + number)
        first = await a.send(option(view_a, "sendiri"))
        assert "Kasus " + number in first or number in first
        second = await b.send(option(view_b, "sendiri"))
        assert "lebih dulu" in second or "first" in second
        assert (await case_row(system, number)).status == "accepted"


async def test_no_coordinator_the_reporter_hears_the_truth(db_path: Path) -> None:
    async with running(db_path) as system:  # no COORDINATOR_ADDRESS, no registry
        await add_volunteers(system)
        reporter = ConsoleDriver(system, "ibu-papua")
        number = await report_from(reporter, place="Kabupaten Merauke")
        out = reporter.transcript
        assert "tidak ada koordinator" in out.lower() or "no coordinator" in out.lower()
        assert "telah diteruskan ke koordinator" not in out.lower()
        assert "0800-1000" in out
        case = await case_row(system, number)
        events = await system.engine.run(lambda tx: tx.cases.events(case.id))
        assert events[-1].kind == "escalated" and events[-1].detail.endswith("told=0")


async def test_volunteer_erases_themselves_with_open_cases(db_path: Path) -> None:
    async with running(db_path, coordinator_address="console:koord") as system:
        reporter, volunteer, number, _view = await accepted_case(system, anonymous=False)
        await volunteer.send("hapus data saya")
        await volunteer.send("1")  # yes
        case = await case_row(system, number)
        assert case.volunteer_id is None and case.status == "escalated"
        told = await reporter.send("/as ibu-siti")
        assert "tidak bisa lagi" in told or "can no longer" in told
        status = await reporter.send("status " + number)
        assert "koordinator" in status.lower()


async def test_a_report_from_kuala_lumpur_reaches_a_volunteer_in_malaysia(db_path: Path) -> None:
    async with running(db_path) as system:
        await add_volunteers(
            system,
            "name,channel,address,place\n"
            "Relawan Indramayu,console,rel-indramayu,Kabupaten Indramayu\n"
            "Aminah KL,console,rel-kl,Kuala Lumpur\n",
        )
        reporter = ConsoleDriver(system, "ibu-kl")
        number = await report_from(reporter, place="Kuala Lumpur")
        assert "Kuala Lumpur, Malaysia" in reporter.transcript
        inbox = await ConsoleDriver(system, "rel-kl").send("/as rel-kl")
        assert number in inbox


async def test_a_report_from_riyadh_with_nobody_there_gets_the_missions_contacts(
    db_path: Path,
) -> None:
    async with running(db_path, coordinator_address="console:koord") as system:
        await add_volunteers(system)
        reporter = ConsoleDriver(system, "ibu-sa")
        number = await report_from(reporter, place="Riyadh")
        assert (await case_row(system, number)).status == "escalated"
        assert "Arab Saudi" in reporter.transcript and "KJRI Jeddah" in reporter.transcript
        assert "0800" not in reporter.transcript.split(number)[1]  # not dialable from abroad


async def test_several_alerts_the_volunteer_picks_the_case(db_path: Path) -> None:
    async with running(db_path) as system:
        await add_volunteers(
            system,
            "name,channel,address,place,capacity\nSolo,console,rel-solo,Kabupaten Indramayu,5\n",
        )
        first = await report_from(ConsoleDriver(system, "a"))
        second = await report_from(ConsoleDriver(system, "b"), recruiter="Pak Joko")
        volunteer = ConsoleDriver(system, "rel-solo")
        inbox = await volunteer.send("/as rel-solo")
        assert first in inbox and second in inbox
        picked = await volunteer.send(option(inbox.split("🔔")[-1], first))
        assert first in picked
        await volunteer.send("1")  # accept, bound to the case picked
        assert (await case_row(system, first)).status == "accepted"
        assert (await case_row(system, second)).status == "alerted"


async def test_after_declining_a_volunteer_stays_in_their_menu(db_path: Path) -> None:
    async with running(db_path) as system:
        await add_volunteers(system)
        await report_from(ConsoleDriver(system, "ibu-siti"))
        volunteer = ConsoleDriver(system, "rel-indramayu")
        await volunteer.send("/as rel-indramayu")
        out = await volunteer.send("2")  # decline
        assert ("privasi" not in out.lower() and "Kasus saya" in out) or "kasus" in out.lower()
        assert "Pilih bahasa" not in out


def strings_in_file(path: Path, needles: list[str]) -> dict[str, list[str]]:
    """Every table of the SQLite file, every text column: which needles are still readable;
    plus the raw bytes of the file and its -wal."""
    found: dict[str, list[str]] = {}
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                text = " ".join(str(v) for v in row if v is not None)
                for needle in needles:
                    if needle in text or needle.encode("unicode_escape").decode() in text:
                        found.setdefault(needle, []).append(table)
    finally:
        conn.close()
    for suffix in ("", "-wal"):
        raw_path = Path(str(path) + suffix)
        if raw_path.exists():
            raw = raw_path.read_bytes()
            for needle in needles:
                if needle.encode() in raw:
                    found.setdefault(needle, []).append("file" + suffix)
    return found


async def strings_in_rows(system, needles: list[str]) -> dict[str, list[str]]:
    """Every table, every row, through the store's own connection (SQLite or PostgreSQL)."""

    async def search(tx) -> dict[str, list[str]]:
        if tx.sql.dialect == "sqlite":
            names = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            names = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        found: dict[str, list[str]] = {}
        for (table,) in [tuple(r) for r in await tx.sql.fetch(names)]:
            for row in await tx.sql.fetch(f"SELECT * FROM {table}"):
                text = " ".join(str(v) for v in tuple(row) if v is not None)
                for needle in needles:
                    if needle in text or needle.encode("unicode_escape").decode() in text:
                        found.setdefault(needle, []).append(table)
        return found

    return await system.engine.run(search)


async def test_erasure_leaves_no_string_of_the_person_anywhere_in_the_file(
    db_path: Path, request
) -> None:
    story = "Sponsor Bu Warsinah menahan paspor anak saya di penampungan Bekasi"
    async with running(db_path, coordinator_address="console:koord") as system:
        await add_volunteers(system)
        reporter = ConsoleDriver(system, "ibu-rahasia-0857")
        await reporter.send("halo")
        await reporter.send("1")
        await reporter.send("1")
        await reporter.send("3")
        await reporter.send("2")
        await reporter.send(story)
        await reporter.send("Bu Warsinah Calo")
        await reporter.send("0812 9988 7766")
        await reporter.send("Indramayu")
        await reporter.send("1")
        await reporter.send("2")
        await reporter.send("1")
        await reporter.send("0857 4444 3333")
        done = await reporter.send("1")
        number = re.search(r"MA-[0-9A-Z]{5}", done).group(0)
        volunteer = ConsoleDriver(system, "rel-indramayu")
        view = await volunteer.send("/as rel-indramayu")
        view = await volunteer.send("1")  # accept: the contact is shown to the volunteer
        await volunteer.send(option(view, "Tulis ke pelapor"))
        await volunteer.send("Ibu, saya akan ke penampungan besok")
        await reporter.send("/as ibu-rahasia-0857")
        await reporter.send("Terima kasih pak, rumahnya di Gang Melati nomor tujuh")
        await volunteer.send("/as rel-indramayu")
        await reporter.send("/as ibu-rahasia-0857")
        await reporter.send("hapus data saya")
        await reporter.send("1")  # yes: erase
        await volunteer.send("/as rel-indramayu")
        assert await strings_in_rows(system, NEEDLES) == {}
    if request.config.getoption("--store") == "postgresql":
        return  # no file to read byte by byte
    assert strings_in_file(db_path, NEEDLES) == {}
    assert number  # the case number (a tombstone) may stay


NEEDLES = [
    "ibu-rahasia-0857",
    "Warsinah",
    "penampungan Bekasi",
    "0812 9988 7766",
    "0857 4444 3333",
    "Gang Melati",
    "Sponsor Bu Warsinah",
]


async def test_escalations_go_to_the_coordinator_of_the_province_and_are_reminded(
    db_path: Path,
) -> None:
    clock = ManualClock()
    async with running(db_path, clock=clock) as system:
        await add_volunteers(system)
        merauke = system.services.gazetteer.resolve("Kabupaten Merauke").place
        await system.engine.run(
            lambda tx: tx.coordinators.add("console", "papua", "P", (merauke.province_code,), 0.0)
        )
        await system.engine.run(
            lambda tx: tx.coordinators.add("console", "jabar", "J", ("32",), 0.0)
        )
        number = await report_from(ConsoleDriver(system, "ibu-papua"), place="Kabupaten Merauke")
        assert number in await ConsoleDriver(system, "papua").send("/as papua")
        assert number not in await ConsoleDriver(system, "jabar").send("/as jabar")
        clock.advance(5 * 3600)
        await tick(system.engine)
        reminder = await ConsoleDriver(system, "papua").send("/as papua")
        assert number in reminder and ("Pengingat" in reminder or "Reminder" in reminder)


async def test_a_waiting_case_is_offered_to_a_volunteer_who_becomes_available(
    db_path: Path,
) -> None:
    async with running(db_path, coordinator_address="console:koord") as system:
        await add_volunteers(
            system, "name,channel,address,place\nSolo,console,rel-solo,Kabupaten Indramayu\n"
        )
        volunteer = ConsoleDriver(system, "rel-solo")
        await volunteer.send("/as rel-solo")
        await volunteer.send("away")
        number = await report_from(ConsoleDriver(system, "ibu-siti"))
        assert (await case_row(system, number)).status == "escalated"
        await volunteer.send("/as rel-solo")
        offered = await volunteer.send("tersedia")
        assert number in offered
        assert (await case_row(system, number)).status == "alerted"


async def test_deactivated_volunteer_alerts_move_on_and_closing_ends_the_relay(
    db_path: Path,
) -> None:
    from bot.cases import Casework, coordination
    from bot.postman import Postman
    from storage.coordinators import Coordinator

    async with running(db_path, coordinator_address="console:koord") as system:
        reporter, _volunteer, number, _view = await accepted_case(system, anonymous=False)
        waiting = await report_from(ConsoleDriver(system, "ibu-dua"), recruiter="Pak Joko")
        first = (await case_row(system, waiting)).offered_to

        async def deactivate(tx):
            v = await tx.volunteers.get(first)
            post = Postman(tx, system.services.clock.now())
            work = Casework(tx, post, system.services, system.services.clock.now())
            await coordination.deactivate(work, Coordinator(0, "console", "koord", "K", ()), v)
            await post.flush()

        await system.engine.run(deactivate)
        assert (await case_row(system, waiting)).offered_to not in (None, first)

        coord = ConsoleDriver(system, "koord")
        view = await coord.send("kasus " + number)
        await coord.send(option(view, "Tutup"))
        await reporter.send("/as ibu-siti")
        refused = await reporter.send("balas " + number + " halo pak masih ada?")
        assert "ditutup" in refused or "closed" in refused


async def test_routing_prefers_a_volunteer_who_speaks_the_reporters_language(
    db_path: Path,
) -> None:
    async with running(db_path) as system:
        await add_volunteers(
            system,
            "name,channel,address,place,lat,lon,languages\n"
            "Dekat,console,near,Kabupaten Indramayu,-6.33,108.32,id\n"
            "English,console,english,Kabupaten Indramayu,-6.45,108.28,id;en\n",
        )
        number = await report_from(ConsoleDriver(system, "maria"), lang="en")
        case = await case_row(system, number)
        chosen = await system.engine.run(lambda tx: tx.volunteers.get(case.offered_to))
        assert chosen.address == "english"


async def test_times_are_shown_in_the_readers_zone(db_path: Path) -> None:
    async with running(db_path, coordinator_address="console:koord") as system:
        await add_volunteers(system)
        reporter = ConsoleDriver(system, "ibu-papua")
        number = await report_from(reporter, place="Kabupaten Merauke")
        out = await reporter.send("status " + number)
        assert "WIT" in out and "WIB" not in out


async def test_an_offer_checked_is_not_kept_in_the_conversation(db_path: Path) -> None:
    clock = ManualClock()
    offer = "Dicari TKW ke Malaysia, gaji 12 juta, bayar 5 juta dulu, pakai visa turis, berangkat lewat Batam"
    async with running(db_path, clock=clock) as system:
        chat = ConsoleDriver(system, "cek")
        await chat.script(["halo", "1", "1", "1", offer])

        async def state(tx):
            return await tx.sql.fetchval(
                "SELECT data FROM conversations c JOIN contacts p ON p.id = c.contact_id"
                " WHERE p.address = 'cek'"
            )

        # kept only while "report it" may still use it, then forgotten
        assert "visa turis" in (await system.engine.run(state) or "")
        clock.advance(2 * 3600)
        await tick(system.engine)
        assert "visa turis" not in (await system.engine.run(state) or "")
