"""A whole channel in one module, outside bot/: what adding SMS would take (a form webhook in,
a sender out), loaded through the registry by configuration alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.capabilities import Capabilities
from bot.channels.base import ChannelModule, adapter_of
from bot.config import Settings
from bot.engine import Engine
from bot.messages import Inbound
from bot.outbox import Limits
from tests.fakes.sender import RecordingSender

CHANNEL = "sms"


@dataclass
class Sms:
    engine: Engine
    sender: RecordingSender = field(default_factory=lambda: RecordingSender(channel=CHANNEL))


@asynccontextmanager
async def adapter(settings: Settings, engine: Engine) -> AsyncIterator[Sms]:
    yield Sms(engine)


async def inbound(request: Request) -> Response:
    sms: Sms = adapter_of(request, CHANNEL)
    form = dict(parse_qsl((await request.body()).decode()))
    await sms.engine.handle(
        Inbound(CHANNEL, str(form["from"]), str(form["id"]), text=str(form["text"]))
    )
    return Response(status_code=204)


channel = ChannelModule(
    name=CHANNEL,
    capabilities=Capabilities(address_is_phone=True, label="SMS"),
    configured=lambda settings: True,
    limits=lambda settings: Limits(),
    adapter=adapter,
    routes=lambda settings: [Route("/sms", inbound, methods=["POST"])],
)
