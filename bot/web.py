"""The web app: one Starlette app for both webhooks, health and metrics.

    POST /telegram          Telegram webhook (bot/channels/telegram.py)
    POST /whatsapp          Twilio inbound WhatsApp (bot/channels/whatsapp.py)
    POST /whatsapp/status   Twilio delivery status callbacks
    GET  /healthz           the store answers
    GET  /metrics           outbox counts, Prometheus text format

The lifespan opens the system (bot/system.py) with every configured channel, each with its
outbox dispatcher; each channel contributes its routes (bot/channels/base.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from bot import channels as channel_registry
from bot.clock import Clock
from bot.config import Settings
from bot.outbox import Dispatcher
from bot.system import System, open_system


@dataclass
class Runtime:
    settings: Settings
    system: System
    dispatchers: dict[str, Dispatcher] = field(default_factory=dict)
    channels: dict[str, Any] = field(default_factory=dict)  # channel name → its adapter object


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def healthz(request: Request) -> JSONResponse:
    rt = runtime(request)

    # Through the writer: a healthy answer means messages are being handled, not only that
    # the database file opens.
    await rt.system.engine.run(lambda tx: tx.ping())
    return JSONResponse({"ok": True, "channels": sorted(rt.channels)})


async def metrics(request: Request) -> PlainTextResponse:
    async with runtime(request).system.store.reader() as reader:
        counts = await reader.outbox_counts()
    lines = ["# TYPE migrasi_aman_outbox_messages gauge"]
    lines += [
        f'migrasi_aman_outbox_messages{{status="{s}"}} {n}' for s, n in sorted(counts.items())
    ]
    return PlainTextResponse("\n".join(lines) + "\n")


def create_app(
    settings: Settings, *, clock: Clock | None = None, dispatch: bool = True
) -> Starlette:
    configured = [
        name
        for name, channel in channel_registry.load(settings.channels).items()
        if channel.configured(settings)
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_system(
            settings, clock=clock, schedule=dispatch, channels=configured, dispatch=dispatch
        ) as system:
            app.state.runtime = Runtime(
                settings=settings,
                system=system,
                dispatchers=system.dispatchers,
                channels=system.channels,
            )
            app.state.channels = system.channels  # for the channels' webhooks (adapter_of)
            yield

    routes = [Route("/healthz", healthz), Route("/metrics", metrics)]
    for channel in channel_registry.load(configured).values():
        routes.extend(channel.routes(settings))
    return Starlette(routes=routes, lifespan=lifespan)


def app_from_env() -> Starlette:
    """The app as each worker of `serve --workers N` builds it: settings from the environment."""
    return create_app(Settings.from_env())
