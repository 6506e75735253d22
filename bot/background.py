"""One long-running asyncio task owned by an object: started once, cancelled and awaited on stop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait until it has ended; re-raise what it failed with, if anything.

    A cancel of the caller itself still reaches the caller: `suppress(CancelledError)` around
    `await task` would swallow that one too (a stop under a timeout then never timed out).
    """
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled():
        task.result()


class Background:
    def __init__(self, name: str) -> None:
        self.name = name
        self._task: asyncio.Task[Any] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self, run: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        if self._task is None:
            self._task = asyncio.create_task(run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
