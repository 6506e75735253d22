"""The composition root: the one place the running system is put together.

    store (storage.open_store) → router (handlers.build_router) → services → engine
    → scheduler (long-running processes) → channel adapters and their outbox dispatchers

Each part gets only what it needs: the engine the store, services and router; a channel
adapter the settings and the engine; a dispatcher the engine and the adapter's sender. Nothing
below this module builds anything above it (see scripts/layers.py).

Several workers on one PostgreSQL database: each channel's dispatcher and the scheduler run in
the one worker that leads them (`store.leader`), so a platform's global rate limit holds across
workers and timers fire once; a commit that wrote outbox rows is announced to every worker
(`store.notify`), and the leader's dispatchers wake on it (`store.listen`). On SQLite (one
process) the store's defaults make this the plain single-process path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import channels as channel_registry
from bot.background import Background, cancel_and_wait
from bot.capabilities import Capabilities
from bot.cases.nearest import volunteer_index
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.conversation import Router
from bot.engine import Engine
from bot.flood import FloodGate, limit_from
from bot.outbox import Dispatcher
from bot.scheduler import Scheduler
from bot.services import Services
from handlers import build_router
from storage import Store, open_store

log = logging.getLogger(__name__)


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


class CommitRelay:
    """Tells the other workers about each commit that wrote outbox rows, without holding up
    the writer: one announcement at a time, the channels of commits meanwhile merged."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._pending: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def __call__(self, channels: set[str]) -> None:
        self._pending |= channels
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        while self._pending:
            channels, self._pending = self._pending, set()
            try:
                await self.store.notify(channels)
            except Exception:  # the leader still loads every few seconds
                log.warning("could not notify other workers of %s", sorted(channels))

    async def close(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)


@asynccontextmanager
async def _leading(
    store: Store,
    name: str,
    start: Callable[[], Awaitable[None]],
    stop: Callable[[], Awaitable[None]],
) -> AsyncIterator[None]:
    """Run `start`…`stop` while this process leads `name` (at once on a single process)."""

    async def lead() -> None:
        async with store.leader(name):
            await start()
            try:
                await asyncio.Event().wait()
            finally:
                await stop()

    task = Background(f"lead-{name}")
    task.start(lead)
    try:
        yield
    finally:
        await task.stop()


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
    flood = FloodGate(limit_from(settings.flood_burst, settings.flood_per_minute))
    engine = Engine(store, services, flood=flood, prepare_processes=settings.prepare_processes)
    scheduler = Scheduler(engine) if schedule else None
    relay = CommitRelay(store)
    if type(store).notify is not Store.notify:  # several workers may share this store
        engine.on_commit(relay)
    try:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(engine)
            stack.push_async_callback(relay.close)
            if scheduler is not None:
                # A long-running process builds the volunteer index now, not inside the first
                # report's batch (10,000 volunteers: seconds every other message would wait).
                await engine.run(lambda tx: volunteer_index(tx, services))
                await stack.enter_async_context(
                    _leading(store, "scheduler", scheduler.start, scheduler.stop)
                )
            system = System(settings, store, services, router, engine)
            for name, channel in wanted.items():
                adapter = await stack.enter_async_context(
                    channel.adapter(settings, engine, **options.get(name, {}))
                )
                system.channels[name] = adapter
                dispatcher = Dispatcher(
                    engine, adapter.sender, channel.limits(settings), leader=store.leader
                )
                system.dispatchers[name] = dispatcher
                if dispatch:
                    await dispatcher.start()
                    stack.push_async_callback(dispatcher.stop)
            if dispatch and system.dispatchers:
                # Another worker's commits wake the dispatchers here (they act if leading).
                dispatchers = list(system.dispatchers.values())
                await store.listen(lambda channels: [d.wake(channels) for d in dispatchers])
            yield system
    finally:
        await store.close()
