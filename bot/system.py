"""The composition root: the one place the running system is put together.

    store (storage.open_store) → router (handlers.build_router) → services → engine
    → scheduler (long-running processes) → channel adapters and their outbox dispatchers

Each part gets only what it needs: the engine the store, services and router; a channel
adapter the settings and the engine; a dispatcher the engine and the adapter's sender. Nothing
below this module builds anything above it (see scripts/layers.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import channels as channel_registry
from bot.capabilities import Capabilities
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.conversation import Router
from bot.engine import Engine
from bot.outbox import Dispatcher
from bot.scheduler import Scheduler
from bot.services import Services
from handlers import build_router
from storage import Store, open_store


@dataclass
class System:
    settings: Settings
    store: Store
    services: Services
    router: Router
    engine: Engine
    channels: dict[str, Any] = field(default_factory=dict)  # channel name → its adapter
    dispatchers: dict[str, Dispatcher] = field(default_factory=dict)


def capabilities(settings: Settings) -> dict[str, Capabilities]:
    """What each known channel can do, for the conversations (which never import channels)."""
    return {
        name: channel.capabilities
        for name, channel in channel_registry.load(settings.channels).items()
    }


@asynccontextmanager
async def open_system(
    settings: Settings,
    *,
    db: Path | str | None = None,
    clock: Clock | None = None,
    schedule: bool = False,
    channels: Iterable[str] = (),
    dispatch: bool = True,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> AsyncIterator[System]:
    """The running system. `schedule` also runs the scheduler (alert deadlines, stale drafts):
    every long-running process wants it; one-off commands don't. `channels` are the channel
    adapters to open (each with its outbox dispatcher, started when `dispatch`); `options`
    pass extra arguments to a channel's adapter (e.g. a Telegram `bot` in tests)."""
    options = options or {}
    wanted = channel_registry.load(channels)
    router = build_router()
    services = Services(
        settings=settings,
        clock=clock or SystemClock(),
        router=router,
        capabilities=capabilities(settings),
    )
    await asyncio.to_thread(services.warm)
    store = open_store(db or settings.database, pool_size=settings.database_pool_size)
    await store.open()
    engine = Engine(store, services)
    scheduler = Scheduler(engine) if schedule else None
    try:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(engine)
            if scheduler is not None:
                await scheduler.start()
                stack.push_async_callback(scheduler.stop)
            system = System(settings, store, services, router, engine)
            for name, channel in wanted.items():
                adapter = await stack.enter_async_context(
                    channel.adapter(settings, engine, **options.get(name, {}))
                )
                system.channels[name] = adapter
                dispatcher = Dispatcher(engine, adapter.sender, channel.limits(settings))
                system.dispatchers[name] = dispatcher
                if dispatch:
                    await dispatcher.start()
                    stack.push_async_callback(dispatcher.stop)
            yield system
    finally:
        await store.close()
