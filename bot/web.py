"""The web app: one Starlette app for both webhooks, health and metrics.

    POST /telegram          Telegram webhook (bot/channels/telegram.py)
    POST /whatsapp          Twilio inbound WhatsApp (bot/channels/whatsapp.py)
    POST /whatsapp/status   Twilio delivery status callbacks
    GET  /healthz           the store answers
    GET  /metrics           outbox counts, Prometheus text format (METRICS_TOKEN or loopback)

The lifespan opens the system (bot/system.py) with every configured channel, each with its
outbox dispatcher; each channel contributes its routes (bot/channels/base.py) and how large a
request body each accepts.

Request bodies are capped before they are read (`BodyLimit`, the outermost layer): a declared
Content-Length over the route's cap is answered 413 without reading a byte, a chunked body is
counted as it arrives and refused the moment it passes the cap, and a body that trickles in
slower than BODY_TIMEOUT is answered 408. So a forged 10 MB form costs nothing but its headers,
and no endpoint ever parses more than its cap (then off the event loop when it is large).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
    from bot.cases.coordination import configured_count

    coordinators = await rt.system.engine.run(lambda tx: configured_count(tx, rt.settings))
    return JSONResponse(
        {
            "ok": True,
            "channels": sorted(rt.channels),
            # Without one, a report nobody accepts reaches no person: the operator must know.
            "coordinators": coordinators,
            "warnings": [] if coordinators else ["no coordinator configured"],
        }
    )


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metrics_allowed(request: Request, settings: Settings) -> bool:
    """With METRICS_TOKEN: the bearer token, from anywhere. Without: a loopback client that
    did not come through a proxy (a proxy on the same host connects from loopback too, and
    says so with X-Forwarded-For / Forwarded)."""
    if settings.metrics_token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode("utf-8"), settings.metrics_token.encode("utf-8")
        )
    proxied = "x-forwarded-for" in request.headers or "forwarded" in request.headers
    return _loopback(request.client.host if request.client else None) and not proxied


async def metrics(request: Request) -> Response:
    rt = runtime(request)
    if not metrics_allowed(request, rt.settings):
        if rt.settings.metrics_token:
            return PlainTextResponse(
                "unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        return PlainTextResponse("forbidden", status_code=403)
    async with runtime(request).system.store.reader() as reader:
        counts = await reader.outbox_counts()
    lines = ["# TYPE migrasi_aman_outbox_messages gauge"]
    lines += [
        f'migrasi_aman_outbox_messages{{status="{s}"}} {n}' for s, n in sorted(counts.items())
    ]
    return PlainTextResponse("\n".join(lines) + "\n")


# A route without its own cap (health, metrics, an unknown path) takes no more than this.
DEFAULT_BODY_LIMIT = 8 * 1024
BODY_TIMEOUT = 10.0  # seconds to receive a whole body once the request has started


class BodyLimit:
    """ASGI middleware: refuse a request body over its route's cap before it is read in full.

    The body is read here, chunk by chunk, up to the cap, and handed to the app in one piece;
    past the cap the app is never called."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Mapping[str, int],
        *,
        default: int = DEFAULT_BODY_LIMIT,
        timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.app = app
        self.limits = dict(limits)
        self.default = default
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default)
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit():
                    await _refuse(scope, receive, send, 400, "bad Content-Length")
                    return
                declared = int(value)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, 413, "request body too large")
            return
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":  # the client went away
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        await _refuse(scope, receive, send, 413, "request body too large")
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await _refuse(scope, receive, send, 408, "request body too slow")
            return

        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
    # Connection: close, so the server does not wait for (or read) the rest of the body.
    response = PlainTextResponse(text, status_code=status, headers={"Connection": "close"})
    await response(scope, receive, send)


def body_limits(settings: Settings, channels: list[str]) -> dict[str, int]:
    """Each configured channel's routes and their caps."""
    limits: dict[str, int] = {}
    for channel in channel_registry.load(channels).values():
        own = getattr(channel, "body_limits", None)
        if own is not None:
            limits.update(own(settings))
    return limits


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
            from bot.cases.coordination import warn_without_coordinator

            await warn_without_coordinator(system)
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
    app = Starlette(routes=routes, lifespan=lifespan)
    # Outermost: nothing inside (Starlette's error handling, the router) sees a refused body.
    app.add_middleware(BodyLimit, limits=body_limits(settings, configured))
    return app


def app_from_env() -> Starlette:
    """The app as each worker of `serve --workers N` builds it: settings from the environment."""
    return create_app(Settings.from_env())
