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
