"""The web app: one Starlette app for both webhooks, health and metrics.

    POST /telegram          Telegram webhook (bot/channels/telegram.py)
    POST /whatsapp          Twilio inbound WhatsApp (bot/channels/whatsapp.py)
    POST /whatsapp/status   Twilio delivery status callbacks
    GET  /healthz           the store answers
    GET  /metrics           outbox counts, Prometheus text format
    /admin/…                the coordinators' web console (bot/console/)

The lifespan opens the store and the engine, and starts one outbox dispatcher per configured
channel; each channel module contributes its routes and its sender.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from bot.app import System, open_system
from bot.clock import Clock
from bot.config import Settings
from bot.console.app import Console
from bot.outbox import Dispatcher
from storage import outbox as outbox_store


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

    async def ping(conn: Any) -> int:
        async with conn.execute("SELECT 1") as cur:
            return (await cur.fetchone())[0]

    await rt.system.engine.run(ping)
    return JSONResponse({"ok": True, "channels": sorted(rt.channels)})


async def metrics(request: Request) -> PlainTextResponse:
    counts = await runtime(request).system.engine.run(outbox_store.counts)
    lines = ["# TYPE migrasi_aman_outbox_messages gauge"]
    lines += [
        f'migrasi_aman_outbox_messages{{status="{s}"}} {n}' for s, n in sorted(counts.items())
    ]
    return PlainTextResponse("\n".join(lines) + "\n")


def create_app(
    settings: Settings, *, clock: Clock | None = None, dispatch: bool = True
) -> Starlette:
    from bot.channels import telegram, whatsapp

    modules = [m for m in (telegram, whatsapp) if m.configured(settings)]
    console = Console(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            system = await stack.enter_async_context(
                open_system(settings, clock=clock, schedule=dispatch)
            )
            rt = Runtime(settings=settings, system=system)
            await stack.enter_async_context(console.attached(system.engine, system.services))
            for module in modules:
                adapter = await stack.enter_async_context(module.adapter(settings, system))
                rt.channels[module.CHANNEL] = adapter
                dispatcher = Dispatcher(system.engine, adapter.sender, module.limits(settings))
                rt.dispatchers[module.CHANNEL] = dispatcher
                if dispatch:
                    await dispatcher.start()
                    stack.push_async_callback(dispatcher.stop)
            app.state.runtime = rt
            yield

    routes = [Route("/healthz", healthz), Route("/metrics", metrics), console.mount()]
    for module in modules:
        routes.extend(module.routes(settings))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.console = console
    return app
