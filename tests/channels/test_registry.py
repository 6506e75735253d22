"""A channel is added by its own module and configuration: the web app mounts its webhook,
the system opens its adapter and runs its outbox dispatcher, the conversations answer."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import httpx

from bot.config import Settings
from bot.web import create_app
from tests.fakes.clock import ManualClock


async def test_a_channel_named_in_the_configuration_runs_end_to_end(db_path: Path) -> None:
    settings = replace(Settings(), database_path=db_path, channels=("tests.channels.sms_channel",))
    app = create_app(settings, clock=ManualClock())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post("/sms", data={"from": "6281234", "id": "1", "text": "halo"})
            assert response.status_code == 204
            health = (await http.get("/healthz")).json()
        assert health["channels"] == ["sms"]
        system = app.state.runtime.system
        sender = system.channels["sms"].sender
        for _ in range(100):  # the dispatcher sends on its own
            if sender.sent:
                break
            await asyncio.sleep(0.02)
        [greeting] = sender.sent
        assert greeting.address == "6281234"
        assert greeting.reply.text.startswith("Halo! Saya Migrasi Aman.")
        assert system.services.channel("sms").label == "SMS"
