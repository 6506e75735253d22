"""Work that needs no transaction, done before the writer takes a message.

The engine has one writer (bot/engine.py): every message of a batch waits for every other.
Checking a pasted job offer costs far more than all the reads and writes of a message, and it
is a pure function of the text and the language, so it must not run there. Before a message is
queued, the engine asks each registered `Preparer` for the pure results a step would compute
(in a worker thread, so the event loop keeps serving, or with `PREPARE_PROCESSES` in worker
processes, so it runs on another core), and hands them to the handler in
`ctx.prepared`. A step asks `ctx.prepared.get(key, compute)`: the prepared value when it was
computed from the same inputs (the key says which), else it computes it itself, so a wrong
guess about where the conversation stands costs time, never a wrong answer.

What a preparer knows is a `Hint`: the cleaned text and the conversation's last committed
locale, flow and step as the engine remembers them (a guess: another process may have moved
it since).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services import Services

log = logging.getLogger(__name__)

T = TypeVar("T")
Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class Hint:
    text: str  # the message as the handler will read it (clean_text)
    locale: str  # the contact's language, or the one a new contact would get
    flow: str | None = None  # where the conversation stood after its last message; None: unknown
    step: str | None = None
    forwarded: bool = False


@dataclass(frozen=True)
class Preparer:
    """`wants` is asked on the event loop and must be quick; `compute` runs in a worker thread
    or process, never touches the database, and returns its results by key. Both are
    module-level functions: a process receives the preparer pickled by name."""

    name: str
    wants: Callable[[Hint], bool]
    compute: Callable[[Hint, Services], dict[Key, Any]]


@dataclass
class Prepared:
    """Pure results computed from one message before the writer took it."""

    results: dict[Key, Any] = field(default_factory=dict)
    hits: int = 0  # how many a step used (tests and benchmarks read it)

    def get(self, key: Key, compute: Callable[[], T]) -> T:
        if key in self.results:
            self.hits += 1
            return self.results[key]  # type: ignore[no-any-return]
        value = compute()
        self.results[key] = value
        return value


def compute_all(preparers: list[Preparer], hint: Hint, services: Services) -> Prepared:
    prepared = Prepared()
    for preparer in preparers:
        prepared.results.update(preparer.compute(hint, services))
    return prepared


# --- where preparers run -------------------------------------------------------------------
#
# In a thread the checks still hold the GIL: they keep the writer's batches short, but take
# turns with the event loop on one core. In a process of their own they run on another core.
# The child builds its own Services from the same settings (content loaded once there); what
# crosses is a Hint and the results, both plain data.

# The child's Services, built by `_start_child` when the pool starts the process: the one
# piece of state a prepare process keeps (its configuration and the content it loaded).
_child: Services | None = None


def _start_child(settings: Settings) -> None:
    global _child
    from bot.services import Services

    _child = Services(settings=settings)
    _child.warm()


def _compute_in_child(preparers: list[Preparer], hint: Hint) -> Prepared:
    assert _child is not None, "prepare process started without its initializer"
    return compute_all(preparers, hint, _child)


class Preparing:
    """Runs the wanted preparers off the writer: in one worker thread, or in `processes`
    worker processes. A process that dies (out of memory, killed) costs its messages their
    prepared results, never an answer: the steps compute what is missing themselves."""

    def __init__(self, services: Services, processes: int = 0) -> None:
        self.services = services
        self.processes = processes
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare")
        self._pool: ProcessPoolExecutor | None = None
        if processes > 0:
            self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent has threads (the database driver's) that fork would copy
        # mid-flight
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_child,
            initargs=(self.services.settings,),
        )

    async def warm(self) -> None:
        """Start the processes and load their content before the first message needs them."""
        if self._pool is None:
            return
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(
                loop.run_in_executor(self._pool, _compute_in_child, [], Hint("", "id"))
                for _ in range(self.processes)
            )
        )

    async def run(self, preparers: list[Preparer], hint: Hint) -> Prepared | None:
        loop = asyncio.get_running_loop()
        if self._pool is None:
            return await loop.run_in_executor(
                self._thread, compute_all, preparers, hint, self.services
            )
        try:
            return await loop.run_in_executor(self._pool, _compute_in_child, preparers, hint)
        except BrokenProcessPool:
            log.warning("a prepare process died; starting a new one")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return None

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
