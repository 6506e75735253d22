"""When a test sits still, say what every asyncio task is waiting on.

faulthandler (`faulthandler_timeout` in pyproject.toml) prints the threads' stacks and ends the
run, but a hung asyncio test shows there only as a loop asleep in `select`: the awaited chain
lives in the tasks. Shortly before faulthandler fires, this prints each running loop's tasks
with their coroutine stacks and what each awaits.
"""

from __future__ import annotations

import asyncio
import gc
import io
import os
import sys
import threading
from collections.abc import Iterator

import pytest

# Seconds before faulthandler's own timeout that the task dump is printed.
_AHEAD = 30.0


def _running_loops() -> list[asyncio.AbstractEventLoop]:
    # Loops are thread-local to their threads; from a watchdog thread the only way to find
    # them all is to look. This runs once, on a hang, so the cost does not matter.
    return [
        o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop) and o.is_running()
    ]


def _chain(awaitable: object, depth: int = 40) -> Iterator[str]:
    """The awaited chain from a task's coroutine down to what it finally waits on (a task's
    own get_stack shows only the outermost frame of a suspended coroutine)."""
    while awaitable is not None and depth > 0:
        depth -= 1
        frame = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "gi_frame", None)
        if frame is None and hasattr(awaitable, "ag_frame"):
            frame = awaitable.ag_frame
        if frame is None:
            yield repr(awaitable)[:200]
            return
        code = frame.f_code
        yield f"{code.co_filename}:{frame.f_lineno} in {code.co_name}"
        awaitable = (
            getattr(awaitable, "cr_await", None)
            or getattr(awaitable, "gi_yieldfrom", None)
            or getattr(awaitable, "ag_await", None)
        )


def dump_tasks(out: io.TextIOBase) -> None:
    for loop in _running_loops():
        try:
            tasks = list(asyncio.all_tasks(loop))
        except RuntimeError:  # the set changed while copied: try once more
            tasks = list(asyncio.all_tasks(loop))
        print(f"\n=== loop {id(loop):#x}: {len(tasks)} tasks ===", file=out)
        for task in tasks:
            waiter = getattr(task, "_fut_waiter", None)
            print(f"--- {task.get_name()} waiting on {waiter!r}", file=out)
            for line in _chain(task.get_coro()):
                print(f"    {line}", file=out)


_stderr = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    # The terminal's stderr, as faulthandler keeps it: while a test runs, fd 2 is captured and
    # a capture is lost when faulthandler ends the process.
    config.stash[_stderr] = os.dup(sys.stderr.fileno())


def pytest_unconfigure(config: pytest.Config) -> None:
    os.close(config.stash[_stderr])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    timeout = float(item.config.getini("faulthandler_timeout") or 0)
    if timeout <= _AHEAD:
        return (yield)
    fd = item.config.stash[_stderr]
    timer = threading.Timer(timeout - _AHEAD, _report, args=(item.nodeid, fd))
    timer.daemon = True
    timer.start()
    try:
        return (yield)
    finally:
        timer.cancel()


def _report(nodeid: str, fd: int) -> None:
    out = io.StringIO()
    print(f"\n{nodeid} has run for a long time; its asyncio tasks:", file=out)
    dump_tasks(out)
    os.write(fd, out.getvalue().encode())
