"""The channel interface: what every channel module provides, and nothing more.

A channel turns its wire format into `Inbound` (handing it to `engine.handle`) and outbox rows
into sends (its `Sender`, driven by an outbox Dispatcher). It never decides what to say. The
composition root (bot/system.py) asks each configured channel for its adapter and starts a
dispatcher with its limits; the web app mounts its routes. What the conversations may know
about a channel is its `Capabilities`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.routing import Route

from bot.capabilities import Capabilities
from bot.config import Settings
from bot.engine import Engine
from bot.outbox import Limits, Sender


class Adapter(Protocol):
    """A channel's side of a running system: at least what the dispatcher sends with."""

    @property
    def sender(self) -> Sender: ...


class Channel(Protocol):
    name: str
    capabilities: Capabilities

    def configured(self, settings: Settings) -> bool:
        """Credentials are set: the system should run this channel."""
        ...

    def limits(self, settings: Settings) -> Limits: ...

    def adapter(
        self, settings: Settings, engine: Engine, **options: Any
    ) -> AbstractAsyncContextManager[Adapter]: ...

    def routes(self, settings: Settings) -> list[Route]:
        """Webhook routes; their endpoints find the adapter with `adapter_of`."""
        ...


def adapter_of(request: Request, channel: str) -> Any:
    """The running adapter of `channel`, for a webhook endpoint (set by the web app)."""
    return request.app.state.channels[channel]


@dataclass(frozen=True)
class ChannelModule:
    """A `Channel` made of a module's functions: what each channel module registers."""

    name: str
    capabilities: Capabilities
    configured: Callable[[Settings], bool]
    limits: Callable[[Settings], Limits]
    adapter: Callable[..., AbstractAsyncContextManager[Any]]
    routes: Callable[[Settings], list[Route]]
