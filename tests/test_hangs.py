"""The hang report names what each asyncio task waits on, from another thread."""

from __future__ import annotations

import asyncio
import io
import threading

from tests.hangs import dump_tasks


async def waits_for_a_wake_up(event: asyncio.Event) -> None:
    await event.wait()


async def test_the_dump_shows_each_task_down_to_what_it_awaits() -> None:
    event = asyncio.Event()
    task = asyncio.create_task(waits_for_a_wake_up(event), name="sleeper")
    await asyncio.sleep(0)  # the task is now suspended in Event.wait
    out = io.StringIO()
    watchdog = threading.Thread(target=dump_tasks, args=(out,))
    watchdog.start()
    while watchdog.is_alive():
        await asyncio.sleep(0.01)
    event.set()
    await task
    report = out.getvalue()
    sleeper = report[report.index("--- sleeper") :]
    assert "in waits_for_a_wake_up" in sleeper  # the task's own coroutine…
    assert "locks.py" in sleeper and "in wait" in sleeper  # …and the Event it sits in
    assert "in test_the_dump_shows_each_task_down_to_what_it_awaits" in report  # this task too
