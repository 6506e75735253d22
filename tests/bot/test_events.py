"""Business events: a case's moves are announced with who moved it, in order."""

from __future__ import annotations

from pathlib import Path

from bot.events import CaseStatusChanged
from tests.helpers import ConsoleDriver, add_volunteers, report_from, running


async def test_a_case_announces_each_status_it_reaches(db_path: Path) -> None:
    async with running(db_path) as system:
        moves: list[tuple[str, str, str]] = []

        @system.router.events.on(CaseStatusChanged)
        async def record(event: CaseStatusChanged) -> None:
            moves.append((event.previous, event.case.status, event.actor.split(":")[0]))

        await add_volunteers(system)
        await report_from(ConsoleDriver(system, "ibu-siti"))
        volunteer = ConsoleDriver(system, "rel-indramayu")
        await volunteer.send("/as rel-indramayu")
        await volunteer.send("1")  # accept
        await volunteer.send("2")  # set status
        await volunteer.send("1")  # in progress
        assert moves == [
            ("new", "alerted", "system"),
            ("alerted", "accepted", "volunteer"),
            ("accepted", "in_progress", "volunteer"),
        ]
