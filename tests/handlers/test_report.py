"""The report flow and the volunteer console, two (or more) people in one console."""

from __future__ import annotations

from pathlib import Path

from bot.scheduler import tick
from tests.fakes.clock import ManualClock
from tests.helpers import ConsoleDriver, add_volunteers, report_from, running


async def case_row(system, number: str):
    return await system.engine.run(lambda tx: tx.cases.by_number(number))


async def history(system, number: str) -> list[str]:
    case = await case_row(system, number)
    return [e.kind for e in await system.engine.run(lambda tx: tx.cases.events(case.id))]


async def test_report_alert_accept_status_and_the_reporter_is_told(db_path: Path) -> None:
    async with running(db_path) as system:
        await add_volunteers(system)
        reporter = ConsoleDriver(system, "ibu-siti")
        number = await report_from(reporter)
        assert "Kabupaten Indramayu" in reporter.transcript

        volunteer = ConsoleDriver(system, "rel-indramayu")
        inbox = await volunteer.send("/as rel-indramayu")
        assert f"Laporan baru {number}" in inbox  # the volunteer's language (id in the CSV)
        assert "0813 0000 1111" not in inbox  # no reporter contact before accepting
        assert "Bu Sri" in inbox

        accepted = await volunteer.send("1")  # Accept
        assert "0813 0000 1111" in accepted  # now shown, to this volunteer
        await volunteer.send("2")  # Set status
        await volunteer.send("1")  # in progress

        news = await reporter.send("/as ibu-siti")
        assert number in news
        assert "relawan" in news.lower()  # the reporter wrote in Indonesian
        assert f"Kabar terbaru laporan Anda {number}" in news
        case = await case_row(system, number)
        assert case.status == "in_progress"
        kinds = await history(system, number)
        assert kinds[:4] == ["created", "alerted", "accepted", "contact_viewed"]
        assert "status" in kinds


async def test_decline_and_a_missed_deadline_move_the_case_to_the_next_nearest(
    db_path: Path,
) -> None:
    clock = ManualClock()
    async with running(db_path, clock=clock) as system:
        await add_volunteers(system)
        number = await report_from(ConsoleDriver(system, "ibu-siti"))
        first = ConsoleDriver(system, "rel-indramayu")
        await first.send("/as rel-indramayu")
        await first.send("2")  # Decline
        case = await case_row(system, number)
        second = case.offered_to
        assert second is not None and case.attempts == 2

        clock.advance(2 * 3600 - 60)
        assert await tick(system.engine) == 0  # not yet
        clock.advance(120)
        assert await tick(system.engine) == 1
        case = await case_row(system, number)
        assert case.offered_to not in (None, second) and case.attempts == 3
        assert await history(system, number) == [
            "created",
            "alerted",
            "declined",
            "alerted",
            "timeout",
            "alerted",
        ]


async def test_a_deadline_fires_after_a_restart(db_path: Path) -> None:
    clock = ManualClock()
    async with running(db_path, clock=clock) as system:
        await add_volunteers(system)
        number = await report_from(ConsoleDriver(system, "ibu-siti"))
        before = (await case_row(system, number)).offered_to
    clock.advance(3 * 3600)  # the process was down when the deadline passed
    async with running(db_path, clock=clock) as system:
        assert await tick(system.engine) == 1
        case = await case_row(system, number)
        assert case.offered_to not in (None, before)


async def test_when_nobody_is_left_the_coordinator_gets_it_and_the_reporter_whom_to_call(
    db_path: Path,
) -> None:
    clock = ManualClock()
    async with running(
        db_path, clock=clock, coordinator_address="console:koordinator", max_route_attempts=1
    ) as system:
        await add_volunteers(system)
        reporter = ConsoleDriver(system, "ibu-siti")
        number = await report_from(reporter)
        clock.advance(3 * 3600)
        await tick(system.engine)
        case = await case_row(system, number)
        assert case.status == "escalated"
        told = await reporter.send("/as ibu-siti")
        assert "0800-1000" in told  # the KP2MI line from the contacts data
        coordinator = await ConsoleDriver(system, "koordinator").send("/as koordinator")
        assert number in coordinator and "0813 0000 1111" not in coordinator


async def test_a_report_far_from_every_volunteer_goes_straight_to_the_coordinator(
    db_path: Path,
) -> None:
    async with running(db_path, coordinator_address="console:koordinator") as system:
        await add_volunteers(system)
        number = await report_from(ConsoleDriver(system, "ibu-papua"), place="Kabupaten Merauke")
        assert (await case_row(system, number)).status == "escalated"


async def test_another_volunteer_cannot_see_the_case(db_path: Path) -> None:
    async with running(db_path) as system:
        await add_volunteers(system)
        number = await report_from(ConsoleDriver(system, "ibu-siti"))
        other = ConsoleDriver(system, "rel-surabaya")
        await other.send("/as rel-surabaya")
        await other.send("halo")
        out = await other.send(f"kasus {number}")
        assert "0813" not in out and "Bu Sri" not in out
        assert "only see cases" in out  # rel-surabaya reads English (the CSV says en)
        # nor by the "status" command, which answers only for the reporter's own reports
        out = await other.send(f"status {number}")
        assert "Bu Sri" not in out and number.upper() in out.upper()


async def test_an_anonymous_reporter_stays_anonymous_after_acceptance(db_path: Path) -> None:
    async with running(db_path) as system:
        await add_volunteers(system)
        await report_from(ConsoleDriver(system, "ibu-anon"), anonymous=True)
        volunteer = ConsoleDriver(system, "rel-indramayu")
        await volunteer.send("/as rel-indramayu")
        out = await volunteer.send("1")
        assert "Pelapor memilih merahasiakan identitasnya" in out
        assert "ibu-anon" not in out


async def test_reports_naming_the_same_recruiter_are_linked(db_path: Path) -> None:
    async with running(db_path) as system:
        await add_volunteers(system)
        await report_from(ConsoleDriver(system, "a"), recruiter="Bu Sri", phone="0812-3456-7890")
        await report_from(ConsoleDriver(system, "b"), recruiter="Sri", phone="+62 812 3456 7890")
        await report_from(
            ConsoleDriver(system, "c"), recruiter="PT Maju Jaya", phone="0899 1111 2222"
        )
        volunteer = ConsoleDriver(system, "rel-indramayu")
        inbox = await volunteer.send("/as rel-indramayu")
        assert "1 laporan lain" in inbox


async def test_erasing_my_data_withdraws_the_report_and_tells_the_volunteer(db_path: Path) -> None:
    async with running(db_path) as system:
        await add_volunteers(system)
        reporter = ConsoleDriver(system, "ibu-siti")
        number = await report_from(reporter)
        volunteer = ConsoleDriver(system, "rel-indramayu")
        await volunteer.send("/as rel-indramayu")
        await volunteer.send("1")
        await reporter.send("/as ibu-siti")
        await reporter.send("hapus data saya")
        await reporter.send("1")
        case = await case_row(system, number)
        assert (
            case.status == "withdrawn" and case.description is None and case.reporter_reach is None
        )
        told = await volunteer.send("/as rel-indramayu")
        assert number in told


async def test_a_shared_location_is_matched_and_abroad_is_refused(db_path: Path) -> None:
    async with running(db_path) as system:
        await add_volunteers(system)
        chat = ConsoleDriver(system, "loc", lang="en")
        for line in [
            "hello",
            "2",
            "1",
            "3",
            "1",
            "An agent asked me for 10 million to work in Malaysia",
            "1",
            "1",
        ]:
            await chat.send(line)
        out = await chat.send("/location 3.139 101.687")  # Kuala Lumpur
        assert "not Indonesia" in out
        out = await chat.send("/location -6.33 108.32")
        assert "Indramayu" in out


async def test_danger_words_in_the_description_show_contacts_and_keep_the_form(
    db_path: Path,
) -> None:
    async with running(db_path) as system:
        await add_volunteers(system)
        chat = ConsoleDriver(system, "x")
        for line in ["halo", "1", "1", "3", "2"]:
            await chat.send(line)
        out = await chat.send("Adik saya dikurung majikan di Malaysia dan tidak boleh pulang")
        assert "0800-1000" in out
        assert "Siapa nama calo atau nama perusahaannya" in out  # the next question of the form
