"""Opening and closing the running system: store, services, engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.engine import Engine
from bot.scheduler import Scheduler
from bot.services import Services
from storage import Store, open_store


@dataclass
class System:
    store: Store
    services: Services
    engine: Engine


@asynccontextmanager
async def open_system(
    settings: Settings,
    *,
    db: Path | str | None = None,
    clock: Clock | None = None,
    schedule: bool = False,
) -> AsyncIterator[System]:
    """The store, the services and the engine. `schedule` also runs the scheduler (alert
    deadlines, stale drafts): every long-running process wants it; one-off commands don't."""
    store = open_store(db or settings.database, pool_size=settings.database_pool_size)
    await store.open()
    services = Services(settings=settings, clock=clock or SystemClock())
    await asyncio.to_thread(services.warm)
    engine = Engine(store, services)
    scheduler = Scheduler(engine) if schedule else None
    try:
        async with engine:
            if scheduler is not None:
                await scheduler.start()
            try:
                yield System(store, services, engine)
            finally:
                if scheduler is not None:
                    await scheduler.stop()
    finally:
        await store.close()
