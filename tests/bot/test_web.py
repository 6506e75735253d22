from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx

from bot.config import Settings
from bot.web import create_app


async def test_health_and_metrics_without_any_channel_configured(db_path: Path) -> None:
    app = create_app(replace(Settings(), database_path=db_path), dispatch=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            health = await http.get("/healthz")
            assert health.status_code == 200 and health.json() == {"ok": True, "channels": []}
            metrics = await http.get("/metrics")
            assert metrics.status_code == 200 and "migrasi_aman_outbox_messages" in metrics.text
            # webhooks of channels that are not configured do not exist
            assert (await http.post("/telegram", json={})).status_code in (404, 405)
            assert (await http.post("/whatsapp", data={})).status_code in (404, 405)


async def test_the_server_fires_deadlines_that_passed_while_it_was_down(db_path: Path) -> None:
    import asyncio

    from tests.fakes.clock import ManualClock
    from tests.helpers import ConsoleDriver, add_volunteers, report_from, running

    clock = ManualClock()
    async with running(db_path, clock=clock) as system:
        await add_volunteers(system)
        number = await report_from(ConsoleDriver(system, "ibu-siti"))
        first = (await system.engine.run(lambda tx: tx.cases.by_number(number))).offered_to
    clock.advance(3 * 3600)

    app = create_app(replace(Settings(), database_path=db_path), clock=clock, dispatch=True)
    async with app.router.lifespan_context(app):
        engine = app.state.runtime.system.engine
        for _ in range(50):  # the scheduler's first tick runs as the server starts
            case = await engine.run(lambda tx: tx.cases.by_number(number))
            if case.offered_to != first:
                break
            await asyncio.sleep(0.05)
        assert case.offered_to not in (None, first)
